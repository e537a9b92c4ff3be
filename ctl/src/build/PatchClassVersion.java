import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites a jar's Java 5 class files (major version 49) as Java 6 (50), in place. The JVM's class-data sharing
 * archives no class older than version 50, and picocli ships Java 5 classes; once relabelled (the bytecode is
 * unchanged and still verifies: version 50 falls back to the type-inferring verifier) they go into javactl's
 * AppCDS archive, which saves about a quarter of its start-up. Run by bin/javactl: java PatchClassVersion.java JAR
 */
public final class PatchClassVersion {
    public static void main(String[] args) throws IOException {
        Path jar = Path.of(args[0]);
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        int patched = 0;
        try (ZipFile in = new ZipFile(jar.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (entry.getName().matches("META-INF/.*\\.(SF|RSA|DSA)")) {
                    continue;
                }
                byte[] data;
                try (InputStream is = in.getInputStream(entry)) {
                    ByteArrayOutputStream buf = new ByteArrayOutputStream();
                    is.transferTo(buf);
                    data = buf.toByteArray();
                }
                if (entry.getName().endsWith(".class") && data.length > 8 && data[6] == 0 && data[7] == 49) {
                    data[7] = 50;
                    patched++;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(data);
                out.closeEntry();
            }
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
    }
}
