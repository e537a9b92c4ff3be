package org.calicojava.confd;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Renders mustache templates (mustache.java) without HTML escaping: config files want values as they are. Each
 * template is compiled once (at first use); partials ({@code {{> name}}}) are looked up in the templates directory.
 */
public final class TemplateRenderer {
    private final DefaultMustacheFactory factory;
    private final Map<Path, Mustache> compiled = new HashMap<>();

    public TemplateRenderer(Path templatesDir) {
        if (!java.nio.file.Files.isDirectory(templatesDir)) {
            throw new IllegalArgumentException("templates directory " + templatesDir + " does not exist");
        }
        this.factory = new DefaultMustacheFactory(templatesDir.toFile()) {
            @Override
            public void encode(String value, Writer writer) {
                try {
                    writer.write(value);
                } catch (IOException e) {
                    throw new MustacheException("write failed", e);
                }
            }
        };
    }

    /** Renders {@code template} with {@code context}; {@link IllegalArgumentException} for a missing or bad template. */
    public String render(Path template, Object context) {
        Mustache m = compiled.get(template);
        if (m == null) {
            try {
                String text = Files.readString(template);
                m = factory.compile(new StringReader(text), template.getFileName().toString());
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
            throw new IllegalArgumentException("template " + template + ": " + e.getMessage());
        }
        return out.toString();
    }
}
