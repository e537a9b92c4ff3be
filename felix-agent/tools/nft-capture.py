#!/usr/bin/env python3
"""Captures what nft sends for each rule of the golden corpus (felix-agent/src/test/resources/golden).

Reads rules.txt (iptables text, a tab, nft statement), writes nft-corpus.nft (one table: every named set and chain
the statements reference, then chain "c" with every distinct statement in order) and runs
`strace -f -e trace=sendmsg -e write=all nft -f nft-corpus.nft` in a network namespace it makes and deletes; from
the netlink bytes it writes nft-corpus.txt: each statement, a tab, the NFTA_RULE_EXPRESSIONS attribute nft sent for
it, in hex. NftExprsTest compares felix's netlink expressions with these bytes. Needs root, nft and strace.

Usage: felix-agent/tools/nft-capture.py [GOLDEN_DIR]
"""
import os
import re
import struct
import subprocess
import sys
import uuid

NFT_NEWRULE = (10 << 8) | 6
NFTA_RULE_EXPRESSIONS = 4


def statements(rules_txt):
    seen, out = set(), []
    with open(rules_txt, encoding="utf-8") as f:
        for line in f:
            nft = line.rstrip("\n").split("\t", 1)[1]
            if nft not in seen:
                seen.add(nft)
                out.append(nft)
    return out


def script(stmts):
    sets = sorted({m for s in stmts for m in re.findall(r"@(cali[46]-[A-Za-z0-9_.\-]+)", s)})
    chains = sorted({m for s in stmts for m in re.findall(r"(?:jump|goto) (cali-[A-Za-z0-9_.\-]+)", s)})
    lines = ["table inet t {"]
    for s in sets:
        lines.append("  set %s { type %s; flags interval; }" % (s, "ipv4_addr" if s.startswith("cali4") else "ipv6_addr"))
    for c in chains:
        lines.append("  chain %s { }" % c)
    lines.append("  chain c {")
    lines.extend("    " + s for s in stmts)
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n", sets


def sent_bytes(strace_out):
    """The bytes of every sendmsg buffer, in order, from strace's hex dumps."""
    data = bytearray()
    for line in strace_out.splitlines():
        m = re.match(r"\s*\| [0-9a-f]{5}  ((?:[0-9a-f]{2} {1,2})+)", line)
        if m:
            data.extend(bytes.fromhex(m.group(1).replace(" ", "")))
    return bytes(data)


def rule_expressions(data):
    out, off = [], 0
    while off + 16 <= len(data):
        length, mtype = struct.unpack_from("=IH", data, off)
        if length < 16:
            break
        if mtype == NFT_NEWRULE:
            a = off + 16 + 4
            while a + 4 <= off + length:
                alen, atype = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                if atype & 0x7FFF == NFTA_RULE_EXPRESSIONS:
                    out.append(data[a : a + alen].hex())
                a += (alen + 3) & ~3
        off += (length + 3) & ~3
    return out


def main():
    golden = sys.argv[1] if len(sys.argv) > 1 else "felix-agent/src/test/resources/golden"
    stmts = statements(os.path.join(golden, "rules.txt"))
    text, sets = script(stmts)
    nft_file = os.path.join(golden, "nft-corpus.nft")
    with open(nft_file, "w", encoding="utf-8") as f:
        f.write(text)
    ns = "cj-cap-" + uuid.uuid4().hex[:6]
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        r = subprocess.run(
            ["ip", "netns", "exec", ns, "strace", "-f", "-e", "trace=sendmsg", "-e", "write=all",
             "nft", "-f", os.path.abspath(nft_file)],
            capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("nft -f failed: " + r.stderr[-2000:])
        version = subprocess.run(["nft", "--version"], capture_output=True, text=True).stdout.split()[1].lstrip("v")
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=True)
    exprs = rule_expressions(sent_bytes(r.stderr))
    if len(exprs) != len(stmts):
        sys.exit("captured %d rules for %d statements" % (len(exprs), len(stmts)))
    with open(os.path.join(golden, "nft-corpus.txt"), "w", encoding="utf-8") as f:
        f.write("# captured: strace -f -e trace=sendmsg -e write=all nft -f golden/nft-corpus.nft (nftables %s) in a"
                " namespace:\n" % version)
        f.write("# every distinct nft statement of golden/rules.txt; one rule a line: statement, a tab,"
                " NFTA_RULE_EXPRESSIONS in hex.\n")
        f.write("# named sets made in the same batch (name=id; anonymous sets numbered on from the last):\n")
        f.write("# sets: " + " ".join("%s=%d" % (s, i + 1) for i, s in enumerate(sets)) + "\n")
        for s, e in zip(stmts, exprs):
            f.write(s + "\t" + e + "\n")
    print("captured %d rules (%d named sets) into %s" % (len(exprs), len(sets), golden))


if __name__ == "__main__":
    main()
