package org.execexporter.config;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificates and private keys with the JDK alone: X.509 certificates; unencrypted private
 * keys as PKCS#8 ("PRIVATE KEY": RSA, EC, Ed25519, Ed448), PKCS#1 ("RSA PRIVATE KEY") and SEC1
 * ("EC PRIVATE KEY", with its named curve). The last two are rewrapped as PKCS#8, which is all the
 * JDK's key factories read. Errors are IllegalArgumentException with the rest of a sentence.
 */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};

    private Pem() {}

    private record Block(String type, String headers, byte[] der) {}

    private static List<Block> blocks(String text) {
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String body = m.group(2);
            String headers = "";
            int blank = body.indexOf("\n\n");
            if (body.contains(":") && blank >= 0) { // RFC 1421 headers (Proc-Type: 4,ENCRYPTED)
                headers = body.substring(0, blank);
                body = body.substring(blank);
            }
            try {
                blocks.add(new Block(m.group(1), headers, Base64.getMimeDecoder().decode(body)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("holds a PEM block " + m.group(1) + " that is not valid base64");
            }
        }
        return blocks;
    }

    /** Every CERTIFICATE block, in order (a chain: leaf first). */
    static List<X509Certificate> certificates(String text) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(text)) {
                if (b.type().equals("CERTIFICATE")) {
                    certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
                }
            }
        } catch (CertificateException e) {
            // The JDK's message repeats its cause's class ("...: java.io.IOException: Empty input"): use the cause's.
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new IllegalArgumentException("holds a certificate that cannot be parsed"
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    /** The one private key of a PEM text. */
    static PrivateKey privateKey(String text) {
        List<Block> keys = blocks(text).stream().filter(b -> b.type().endsWith("PRIVATE KEY")).toList();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        if (keys.size() > 1) {
            throw new IllegalArgumentException("holds more than one private key");
        }
        Block key = keys.get(0);
        if (key.type().equals("ENCRYPTED PRIVATE KEY") || key.headers().contains("ENCRYPTED")) {
            throw new IllegalArgumentException("holds an encrypted private key, which is not supported "
                    + "(decrypt it with: openssl pkey -in KEY -out KEY.plain)");
        }
        byte[] pkcs8 = switch (key.type()) {
            case "PRIVATE KEY" -> key.der();
            case "RSA PRIVATE KEY" -> sequence(integerZero(), RSA_ALGORITHM, tlv(0x04, key.der()));
            case "EC PRIVATE KEY" -> sequence(integerZero(), sequence(EC_PUBLIC_KEY_OID, curveOf(key.der())),
                    tlv(0x04, key.der()));
            default -> throw new IllegalArgumentException("holds a " + key.type() + ", which is not supported "
                    + "(PRIVATE KEY, RSA PRIVATE KEY and EC PRIVATE KEY are)");
        };
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException | RuntimeException tryNext) {
                // not this algorithm
            }
        }
        throw new IllegalArgumentException("holds a private key of a kind Java cannot read");
    }

    /** Throws unless {@code key} is the private half of the certificate's public key. */
    static void checkPair(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return; // no plain signature to check it with; the handshake will tell
        }
        PublicKey publicKey = certificate.getPublicKey();
        try {
            byte[] probe = "exec-exporter key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(publicKey);
            verify.update(probe);
            if (verify.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another kind than the certificate's: not its pair
        }
        throw new IllegalArgumentException("does not hold the private key of the certificate in cert_file");
    }

    /** The named curve's OID element in a SEC1 ECPrivateKey: its [0] parameters. */
    private static byte[] curveOf(byte[] sec1) {
        Der outer = new Der(sec1, 0);
        if (outer.tag != 0x30) {
            throw new IllegalArgumentException("holds an EC PRIVATE KEY that is not DER");
        }
        int at = outer.contentStart;
        while (at < outer.end) {
            Der element = new Der(sec1, at);
            if (element.tag == 0xa0) {
                Der oid = new Der(sec1, element.contentStart);
                if (oid.tag == 0x06) {
                    return java.util.Arrays.copyOfRange(sec1, element.contentStart, oid.end);
                }
            }
            at = element.end;
        }
        throw new IllegalArgumentException("holds an EC PRIVATE KEY without its named curve; "
                + "convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
    }

    /** One DER element's tag and bounds. */
    private static final class Der {
        final int tag;
        final int contentStart;
        final int end;

        Der(byte[] der, int at) {
            try {
                tag = der[at] & 0xff;
                int length = der[at + 1] & 0xff;
                int start = at + 2;
                if ((length & 0x80) != 0) {
                    int bytes = length & 0x7f;
                    if (bytes == 0 || bytes > 3) {
                        throw new IllegalArgumentException("holds a DER element too large");
                    }
                    length = 0;
                    for (int i = 0; i < bytes; i++) {
                        length = (length << 8) | (der[start + i] & 0xff);
                    }
                    start += bytes;
                }
                contentStart = start;
                end = start + length;
                if (end > der.length) {
                    throw new IllegalArgumentException("holds a truncated DER element");
                }
            } catch (ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("holds a truncated DER element");
            }
        }
    }

    private static byte[] integerZero() {
        return new byte[] {0x02, 0x01, 0x00};
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        return tlv(0x30, content.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
