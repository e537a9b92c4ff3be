package org.calicojava.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The netlink messages {@code nft --debug=mnl} prints (libmnl's table: per message its header, then each attribute's
 * header and its data four bytes a row), rebuilt as bytes; and the messages of one of our batches, for comparing the
 * two. The flags libmnl prints are only four of them (request, multi, ack, echo), so a message is its type and its
 * body (the nfgenmsg and the attributes), byte for byte. {@link #sent} runs nft and returns the batch it sent.
 */
public record NftMnlDump(int type, byte[] body) {
    private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;]*m");
    private static final Pattern LENGTH = Pattern.compile("^\\|\\s+(\\d{10})\\s+\\|\\s+\\| message length \\|");
    private static final Pattern TYPE = Pattern.compile("^\\| (\\d{5}) \\| [A-Z-]{4} \\|\\s+\\|  type \\| flags  \\|");
    private static final Pattern ATTR = Pattern.compile("^\\|(\\d{5})\\|([A-Z-]{2})\\|(\\d{5})\\|");
    private static final Pattern DATA = Pattern.compile(
            "^\\| ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2})  \\|\\s+\\|\\s+(extra header|data)");

    /** The messages in {@code out} (nft's debug output, with anything else it printed in between), in order. */
    public static List<NftMnlDump> parse(String out) {
        List<NftMnlDump> msgs = new ArrayList<>();
        int length = -1;
        int type = -1;
        ByteArrayOutputStream body = null;
        for (String raw : out.split("\n")) {
            String line = ANSI.matcher(raw).replaceAll("");
            Matcher m;
            if ((m = LENGTH.matcher(line)).find()) {
                finish(msgs, type, length, body);
                length = Integer.parseInt(m.group(1));
                body = new ByteArrayOutputStream();
                type = -1;
            } else if (body != null && type < 0 && (m = TYPE.matcher(line)).find()) {
                type = Integer.parseInt(m.group(1));
            } else if (body != null && (m = ATTR.matcher(line)).find()) {
                int len = Integer.parseInt(m.group(1));
                int t = Integer.parseInt(m.group(3))
                        | (m.group(2).charAt(0) == 'N' ? 0x8000 : 0)
                        | (m.group(2).charAt(1) == 'B' ? 0x4000 : 0);
                body.write(len & 0xff);
                body.write(len >> 8);
                body.write(t & 0xff);
                body.write(t >> 8);
            } else if (body != null && (m = DATA.matcher(line)).find()) {
                for (int i = 1; i <= 4; i++) {
                    body.write(Integer.parseInt(m.group(i), 16));
                }
            }
        }
        finish(msgs, type, length, body);
        return msgs;
    }

    private static void finish(List<NftMnlDump> msgs, int type, int length, ByteArrayOutputStream body) {
        if (body == null) {
            return;
        }
        byte[] b = body.toByteArray();
        if (b.length != length - 16) {
            throw new IllegalStateException("nft --debug=mnl: message of type " + type + " with " + b.length
                    + " body bytes read, " + (length - 16) + " announced");
        }
        msgs.add(new NftMnlDump(type, b));
    }

    private static final int NEWSETELEM = 10 << 8 | 12;

    /**
     * The batch (BATCH_BEGIN to BATCH_END) {@code nft --debug=mnl -f} sends for {@code script} in namespace {@code
     * ns} (and commits there). nft (1.0.6) sends the elements an {@code add element} gives an interval set made in the
     * same batch a second time, without the leading zero element, which adds nothing: that second message is left
     * out.
     */
    public static List<NftMnlDump> sent(String ns, String script) throws java.io.IOException {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("nft-mnl", ".nft");
        try {
            java.nio.file.Files.writeString(f, script);
            List<NftMnlDump> all = parse(Sh.ok("ip", "netns", "exec", ns, "nft", "--debug=mnl", "-f", f.toString()));
            int begin = -1;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).type() == 0x10) {
                    begin = i;
                }
            }
            if (begin < 0) {
                throw new IllegalStateException("nft --debug=mnl: no batch in its output");
            }
            List<NftMnlDump> batch = new ArrayList<>();
            for (int i = begin; i < all.size(); i++) {
                NftMnlDump m = all.get(i);
                NftMnlDump last = batch.isEmpty() ? null : batch.get(batch.size() - 1);
                boolean again = last != null
                        && m.type() == NEWSETELEM
                        && last.type() == m.type()
                        && java.util.Arrays.equals(last.head(), m.head())
                        && sameButTheFirst(last.elements(), m.elements());
                if (!again) {
                    batch.add(m);
                }
                if (m.type() == 0x11) {
                    break;
                }
            }
            return batch;
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

    /** Whether {@code again} holds the elements of {@code first} but its first one. */
    private static boolean sameButTheFirst(List<byte[]> first, List<byte[]> again) {
        if (first.size() != again.size() + 1) {
            return false;
        }
        for (int i = 0; i < again.size(); i++) {
            if (!java.util.Arrays.equals(first.get(i + 1), again.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** A NEWSETELEM's elements (each element's attributes, without its own header), in order. */
    public List<byte[]> elements() {
        ByteBuffer list = attr(3);
        List<byte[]> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        ByteBuffer b = list.order(ByteOrder.nativeOrder());
        int off = 0;
        while (off + 4 <= b.limit()) {
            int len = b.getShort(off) & 0xffff;
            if (len < 4) {
                break;
            }
            byte[] e = new byte[Math.min(len, b.limit() - off) - 4];
            b.get(off + 4, e);
            out.add(e);
            off += (len + 3) & ~3;
        }
        return out;
    }

    /** The messages of a batch's datagram, in order. */
    public static List<NftMnlDump> split(ByteBuffer datagram) {
        ByteBuffer d = datagram.duplicate().order(ByteOrder.nativeOrder());
        List<NftMnlDump> msgs = new ArrayList<>();
        int off = 0;
        while (off + 16 <= d.limit()) {
            int len = d.getInt(off);
            byte[] body = new byte[len - 16];
            d.get(off + 16, body);
            msgs.add(new NftMnlDump(d.getShort(off + 4) & 0xffff, body));
            off += (len + 3) & ~3;
        }
        return msgs;
    }

    /** The body up to its first attribute of type 3 (for NEWSETELEM: table, set and set id, before the elements). */
    public byte[] head() {
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.nativeOrder());
        int off = 4;
        while (off + 4 <= body.length) {
            int len = b.getShort(off) & 0xffff;
            if ((b.getShort(off + 2) & 0x3fff) == 3 || len < 4) {
                break;
            }
            off += (len + 3) & ~3;
        }
        return java.util.Arrays.copyOf(body, Math.min(off, body.length));
    }

    /** The body without its top-level attribute {@code type} (the nfgenmsg and the other attributes, in order). */
    public byte[] without(int type) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(body, 0, 4);
        walk((t, off, len) -> {
            if (t != type) {
                out.write(body, off, Math.min((len + 3) & ~3, body.length - off));
            }
        });
        return out.toByteArray();
    }

    /** The payload of top-level attribute {@code type}, or null. */
    public ByteBuffer attr(int type) {
        ByteBuffer[] found = {null};
        walk((t, off, len) -> {
            if (t == type && found[0] == null) {
                found[0] = ByteBuffer.wrap(body, off + 4, len - 4).slice();
            }
        });
        return found[0];
    }

    private interface AttrVisitor {
        void visit(int type, int offset, int length);
    }

    private void walk(AttrVisitor v) {
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.nativeOrder());
        int off = 4;
        while (off + 4 <= body.length) {
            int len = b.getShort(off) & 0xffff;
            if (len < 4) {
                break;
            }
            v.visit(b.getShort(off + 2) & 0x3fff, off, len);
            off += (len + 3) & ~3;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NftMnlDump m && m.type == type && java.util.Arrays.equals(m.body, body);
    }

    @Override
    public int hashCode() {
        return type * 31 + java.util.Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "type " + type + " (" + (type & 0xff) + "): " + HexFormat.of().formatHex(body);
    }
}
