import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites a jar's pre-Java-7 class files as Java 6 (version 50) class files with stack map frames computed by ASM, in
 * place; the code is unchanged. The JVM's class-data sharing archives no class older than version 50, nor one whose
 * verification failed over to the old type-inferring verifier (a version-50 class without frames), and picocli ships
 * Java 5 classes. Relabelling alone (what this did before) let in only the classes without branches: picocli's
 * CommandLine itself, 400 kB of bytecode, was still verified by the slow verifier on every start and never archived.
 * Run by bin/javactl with ASM (a jnr-ffi dependency, in ctl/target/lib) on the class path:
 * {@code java -cp asm.jar PatchClassVersion.java JAR}.
 */
public final class PatchClassVersion {
    public static void main(String[] args) throws IOException {
        Path jar = Path.of(args[0]);
        // a name of this process's own: several javactl first runs may patch at once (scripts/fabric up starts nodes
        // in parallel); each writes its own file and the atomic move leaves one whole jar
        Path tmp = jar.resolveSibling(jar.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        int patched = 0;
        try (ZipFile in = new ZipFile(jar.toFile());
             URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, PatchClassVersion.class.getClassLoader());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                if (entry.getName().matches("META-INF/.*\\.(SF|RSA|DSA)")) {
                    continue;
                }
                byte[] data;
                try (InputStream is = in.getInputStream(entry)) {
                    data = is.readAllBytes();
                }
                if (entry.getName().endsWith(".class") && data.length > 8 && data[6] == 0 && data[7] <= 50) {
                    data = withFrames(data, loader);
                    patched++;
                }
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(data);
                out.closeEntry();
            }
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.err.println("PatchClassVersion: " + patched + " classes of " + jar.getFileName() + " now version 50 with frames");
    }

    static byte[] withFrames(byte[] data, ClassLoader loader) {
        ClassReader reader = new ClassReader(data);
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() {
                return loader; // common super classes are looked up among the jar's own classes too
            }
        };
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                super.visit(Opcodes.V1_6, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }
}
