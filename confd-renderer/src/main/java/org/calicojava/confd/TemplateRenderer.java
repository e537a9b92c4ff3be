package org.calicojava.confd;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders mustache templates (mustache.java) with the encoder of the template's language ({@link TemplateEncoder}:
 * YAML escapes for {@code *.yaml.mustache}, validated tokens only for the rest) instead of HTML escaping. Unescaped
 * output ({@code {{{x}}}}, {@code {{&x}}}) and delimiter changes are refused. Each template is compiled once (at first
 * use); partials ({@code {{> name}}}) are looked up in the templates directory and use the including template's
 * encoder.
 */
public final class TemplateRenderer {
    private static final Pattern UNESCAPED = Pattern.compile("\\{\\{\\s*[{&=]");

    private final Map<TemplateEncoder, DefaultMustacheFactory> factories = new EnumMap<>(TemplateEncoder.class);
    private final Map<Path, Mustache> compiled = new HashMap<>();

    public TemplateRenderer(Path templatesDir) {
        if (!java.nio.file.Files.isDirectory(templatesDir)) {
            throw new IllegalArgumentException("templates directory " + templatesDir + " does not exist");
        }
        for (TemplateEncoder enc : TemplateEncoder.values()) {
            factories.put(enc, new DefaultMustacheFactory(templatesDir.toFile()) {
                @Override
                public void encode(String value, Writer writer) {
                    try {
                        writer.write(enc.apply(value));
                    } catch (IOException e) {
                        throw new MustacheException("write failed", e);
                    }
                }

                @Override
                public Reader getReader(String resourceName) {
                    return refuseUnescaped(super.getReader(resourceName), resourceName);
                }
            });
        }
    }

    /** The encoder a template's values go through (also for the helper lambdas' output). */
    public static TemplateEncoder encoderFor(Path template) {
        return TemplateEncoder.forTemplate(template);
    }

    private static Reader refuseUnescaped(Reader r, String name) {
        try (Reader in = r) {
            StringWriter w = new StringWriter();
            in.transferTo(w);
            check(w.toString(), name);
            return new StringReader(w.toString());
        } catch (IOException e) {
            throw new MustacheException("partial " + name + ": cannot read", e);
        }
    }

    private static void check(String text, String name) {
        if (UNESCAPED.matcher(text).find()) {
            throw new MustacheException(name + ": unescaped output ({{{x}}}, {{&x}}) and delimiter changes are "
                    + "not allowed (every value goes through the template's encoder)");
        }
    }

    /** Renders {@code template} with {@code context}; {@link IllegalArgumentException} for a missing or bad template. */
    public String render(Path template, Object context) {
        Mustache m = compiled.get(template);
        if (m == null) {
            try {
                String text = Files.readString(template);
                check(text, template.getFileName().toString());
                m = factories
                        .get(TemplateEncoder.forTemplate(template))
                        .compile(new StringReader(text), template.getFileName().toString());
            } catch (IOException e) {
                throw new IllegalArgumentException("template " + template + ": cannot read (" + e.getMessage() + ")");
            } catch (MustacheException e) {
                throw new IllegalArgumentException("template " + template + ": " + e.getMessage());
            }
            compiled.put(template, m);
        }
        StringWriter out = new StringWriter();
        try {
            m.execute(out, context).flush();
        } catch (IOException | MustacheException e) {
            throw new IllegalArgumentException("template " + template + ": " + e.getMessage() + refusal(e));
        }
        return out.toString();
    }

    /** The encoder's refusal inside mustache.java's wrapping exceptions, if that is what failed. */
    private static String refusal(Throwable e) {
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof IllegalArgumentException) {
                return ": " + c.getMessage();
            }
        }
        return "";
    }
}
