# Fake of micropython-lib ntptime: counts settime() calls; FAIL makes them raise.
host = "pool.ntp.org"
FAIL = False
CALLS = []


def settime():
    if FAIL:
        raise OSError(110)
    CALLS.append(host)
