"""bench/flash_account.py's reading of two images' symbols and frozen pools (CPython, pytest)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import flash_account  # noqa: E402

# Two frozen_content.c excerpts in mpy-tool's layout: the image without uht has one name in its
# pool; the one with uht adds three (an identifier, a private one, a message).
BARE_C = """
const qstr_len_t mp_qstr_frozen_const_lengths[] = {
    4,
};
const qstr_pool_t mp_qstr_frozen_const_pool = {
    &mp_qstr_const_pool, // previous pool
    {
        "ntp_",
    },
};
// frozen module uhtfw_boot
"""
FULL_C = """
const qstr_len_t mp_qstr_frozen_const_lengths[] = {
    4, 5, 8, 11,
};
const qstr_pool_t mp_qstr_frozen_const_pool = {
    &mp_qstr_const_pool, // previous pool
    {
        "ntp_",
        "start",
        "_compact",
        "bad request",
    },
};
// frozen module uht_server
// frozen module uht_sse
// frozen module uht__compat
// frozen module uhtfw_boot
"""
BARE_NM = """\
10000000 0000000c R mp_qstr_frozen_const_pool
10000010 00000001 R mp_qstr_frozen_const_hashes
10000020 00000001 R mp_qstr_frozen_const_lengths
10000030 00000020 R fun_data_uhtfw_boot__lt_module_gt_
"""
FULL_NM = """\
10000000 00000018 R mp_qstr_frozen_const_pool
10000010 00000004 R mp_qstr_frozen_const_hashes
10000020 00000004 R mp_qstr_frozen_const_lengths
10000030 00000020 R fun_data_uhtfw_boot__lt_module_gt_
10000100 00000064 r fun_data_uht_server_HTTPServer__serve
10000200 00000010 r fun_data_uht_sse__lt_module_gt_
10000300 00000008 r const_obj_uht_server_0
10000310 00000008 r const_obj_table_data_uht_server
10000320 00000006 r const_qstr_table_data_uht__compat
10000330 00000004 r children_uht_server_HTTPServer
         U some_undefined_symbol
"""


def test_classify_puts_each_symbol_to_its_module_and_kind():
    idents = flash_account.module_idents(FULL_C)
    assert idents == ["uht__compat", "uht_server", "uht_sse"]
    assert flash_account.classify("fun_data_uht_server_HTTPServer__serve", idents) == ("bytecode", "uht_server")
    assert flash_account.classify("fun_data_uht_sse__lt_module_gt_", idents) == ("bytecode", "uht_sse")
    assert flash_account.classify("const_obj_table_data_uht_server", idents) == ("constant tables", "uht_server")
    assert flash_account.classify("const_qstr_table_data_uht__compat", idents) == ("name tables", "uht__compat")
    assert flash_account.classify("fun_data_uhtfw_boot__lt_module_gt_", idents) is None  # the firmware app's
    assert flash_account.classify("mp_qstr_frozen_const_pool", idents) is None


def test_breakdown_adds_up_to_the_image_growth():
    full = flash_account.parse_nm(FULL_NM)
    bare = flash_account.parse_nm(BARE_NM)
    acc = flash_account.breakdown(full, bare, FULL_C, BARE_C, total=400)
    kinds = acc["kinds"]
    assert kinds["bytecode"] == 0x64 + 0x10
    assert kinds["constants"] == 8 and kinds["constant tables"] == 8
    assert kinds["name tables"] == 6 and kinds["child tables"] == 4
    # Three names added: 24 - 12 + 3 + 3 bytes of pool entries, (5 + 1) + (8 + 1) + (11 + 1) of text.
    assert acc["names"]["count"] == 3
    assert acc["names"]["entry_bytes"] == 18
    assert acc["names"]["text_bytes"] == 27
    assert kinds["names"] == 45
    assert (acc["names"]["identifiers"], acc["names"]["private"]) == (2, 1)
    assert sum(kinds.values()) == 400  # "other" takes what no symbol explains
    assert kinds["other"] == 400 - (0x74 + 8 + 8 + 6 + 4 + 45)
    server = [m for m in acc["modules"] if m["module"] == "server"][0]
    assert server["total"] == 0x64 + 8 + 8 + 4
    assert acc["modules"][0]["module"] == "server"  # largest first
