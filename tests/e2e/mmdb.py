#!/usr/bin/env python3
# Copyright (c) 2026 The spampot authors
# SPDX-License-Identifier: ISC (the licence text is in LICENSE)
"""mmdb.py: write a small MaxMind DB (.mmdb) file for the tests, offline.

    mmdb.py OUT DATABASE_TYPE NETWORKS.json

NETWORKS.json is a list of [network, data]: "127.0.0.0/8" or "::1/128", and
the JSON object to store for it (maps, arrays, strings, booleans, whole
numbers: uint32 if they fit, else uint64). A more specific network may
follow a less specific one that holds it. The file follows the MaxMind DB
format 2.0 (https://maxmind.github.io/MaxMind-DB/): an IPv6 search tree of
32-bit records in which IPv4 networks sit at ::a.b.c.d, as libmaxminddb
looks them up, the data section and the metadata.
"""
import ipaddress
import json
import struct
import sys
import time


def ctrl(type_, size):
    """Control byte(s) of a field of this type and payload size."""
    if size < 29:
        first, extra = size, b""
    elif size < 285:
        first, extra = 29, bytes([size - 29])
    elif size < 65821:
        first, extra = 30, struct.pack(">H", size - 285)
    else:
        first, extra = 31, struct.pack(">I", size - 65821)[1:]
    if type_ <= 7:
        return bytes([(type_ << 5) | first]) + extra
    return bytes([first, type_ - 7]) + extra


def encode(v):
    if isinstance(v, bool):
        return ctrl(14, 1 if v else 0)
    if isinstance(v, str):
        b = v.encode("utf-8")
        return ctrl(2, len(b)) + b
    if isinstance(v, int):
        if v < 0:
            raise ValueError("negative numbers are not needed here")
        type_ = 6 if v < 1 << 32 else 9
        b = v.to_bytes((v.bit_length() + 7) // 8, "big")
        return ctrl(type_, len(b)) + b
    if isinstance(v, dict):
        out = ctrl(7, len(v))
        for k, x in v.items():
            out += encode(str(k)) + encode(x)
        return out
    if isinstance(v, list):
        return ctrl(11, len(v)) + b"".join(encode(x) for x in v)
    raise TypeError("cannot encode %r" % (v,))


def uint16(v):
    b = v.to_bytes((v.bit_length() + 7) // 8, "big")
    return ctrl(5, len(b)) + b


def uint64(v):
    b = v.to_bytes((v.bit_length() + 7) // 8, "big")
    return ctrl(9, len(b)) + b


class Node:
    def __init__(self, left=None, right=None):
        self.child = [left, right]


def insert(root, bits, value):
    """A leaf is ("data", offset); a node splits a leaf it goes through."""
    node = root
    for i, bit in enumerate(bits):
        last = i == len(bits) - 1
        c = node.child[bit]
        if last:
            node.child[bit] = ("data", value)
            return
        if not isinstance(c, Node):
            c = Node(c, c)
            node.child[bit] = c
        node = c


def network_bits(text):
    net = ipaddress.ip_network(text, strict=False)
    if net.version == 4:
        addr = int(net.network_address)  # ::a.b.c.d
        plen = 96 + net.prefixlen
    else:
        addr = int(net.network_address)
        plen = net.prefixlen
    return [(addr >> (127 - i)) & 1 for i in range(plen)]


def build(db_type, networks):
    data = b""
    root = Node()
    for text, value in networks:
        offset = len(data)
        data += encode(value)
        insert(root, network_bits(text), offset)
    # number the nodes breadth first, root 0
    order, queue = [], [root]
    while queue:
        n = queue.pop(0)
        order.append(n)
        queue.extend(c for c in n.child if isinstance(c, Node))
    ids = {id(n): i for i, n in enumerate(order)}
    count = len(order)

    def record(c):
        if c is None:
            return count
        if isinstance(c, Node):
            return ids[id(c)]
        return count + 16 + c[1]

    tree = b"".join(struct.pack(">II", record(n.child[0]), record(n.child[1]))
                    for n in order)
    meta = (ctrl(7, 9) +
            encode("node_count") + encode(count) +
            encode("record_size") + uint16(32) +
            encode("ip_version") + uint16(6) +
            encode("database_type") + encode(db_type) +
            encode("languages") + encode(["en"]) +
            encode("binary_format_major_version") + uint16(2) +
            encode("binary_format_minor_version") + uint16(0) +
            encode("build_epoch") + uint64(int(time.time())) +
            encode("description") + encode({"en": "spampot test data"}))
    return tree + bytes(16) + data + b"\xab\xcd\xefMaxMind.com" + meta


def main():
    out, db_type, spec = sys.argv[1:4]
    networks = json.load(open(spec))
    with open(out, "wb") as f:
        f.write(build(db_type, networks))


if __name__ == "__main__":
    main()
