"""SHA-1 in pure Python, for the WebSocket handshake on builds whose hashlib has no sha1 (it comes
with TLS support: e.g. a Pico without networking, or a unix port built without SSL). Loaded only
there; a handshake hashes about 60 bytes, so speed does not matter."""


def _rotl(x: int, n: int) -> int:
    return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF


def sha1(data: bytes) -> bytes:
    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    length = len(data) * 8
    data = bytes(data) + b"\x80" + bytes((55 - len(data)) % 64) + length.to_bytes(8, "big")
    for at in range(0, len(data), 64):
        w = [int.from_bytes(data[at + i : at + i + 4], "big") for i in range(0, 64, 4)]
        for i in range(16, 80):
            w.append(_rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1))
        a, b, c, d, e = h
        for i in range(80):
            if i < 20:
                f, k = (b & c) | (~b & d), 0x5A827999
            elif i < 40:
                f, k = b ^ c ^ d, 0x6ED9EBA1
            elif i < 60:
                f, k = (b & c) | (b & d) | (c & d), 0x8F1BBCDC
            else:
                f, k = b ^ c ^ d, 0xCA62C1D6
            a, b, c, d, e = (_rotl(a, 5) + (f & 0xFFFFFFFF) + e + k + w[i]) & 0xFFFFFFFF, a, _rotl(b, 30), c, d
        h = [(x + y) & 0xFFFFFFFF for x, y in zip(h, (a, b, c, d, e))]
    return b"".join(x.to_bytes(4, "big") for x in h)
