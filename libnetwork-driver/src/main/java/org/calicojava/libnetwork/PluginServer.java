package org.calicojava.libnetwork;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.unix.PeerCredentials;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.calicojava.netlink.SocketAccess;
import org.calicojava.unixhttp.UnixHttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker's plugin API: {@link Plugin} behind HTTP/1.1 on a unix domain socket ({@link UnixHttpServer}, shared with
 * the CNI server). Requests run on 4 worker threads. A body above 1 MiB gets 413 {@code {"Err": ...}}.
 * Local users: the socket is 0660 root:GROUP ({@link SocketAccess}); a peer that is neither root nor in the group
 * gets 403 {@code {"Err": "permission denied ..."}} for every request; at most {@value #MAX_CLIENTS} connections
 * at once (Docker opens a few), the rest are closed at once. Refusals are logged at most once a minute.
 */
public final class PluginServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginServer.class);
    private static final int MAX_BODY = 1 << 20;
    static final int MAX_CLIENTS = 64;

    private final UnixHttpServer server;

    /** Root (and this process's own uid and group) only. */
    public PluginServer(Path socket, Plugin plugin) throws IOException, InterruptedException {
        this(socket, plugin, new SocketAccess(null));
    }

    public PluginServer(Path socket, Plugin plugin, SocketAccess access) throws IOException, InterruptedException {
        server = new UnixHttpServer(
                socket,
                access,
                new UnixHttpServer.Options("plugin socket", 4, MAX_CLIENTS, MAX_BODY),
                new UnixHttpServer.App() {
                    @Override
                    public FullHttpResponse handle(FullHttpRequest req) {
                        String path = req.uri();
                        int q = path.indexOf('?');
                        return response(plugin.handle(
                                req.method().name(),
                                q < 0 ? path : path.substring(0, q),
                                ByteBufUtil.getBytes(req.content())));
                    }

                    @Override
                    public String refuse(PeerCredentials c) {
                        return access.allows(c.uid(), c.gids(), c.pid()) ? null : access.refusal(c.uid(), c.pid());
                    }

                    @Override
                    public FullHttpResponse denied(String why) {
                        return response(Plugin.error(403, why));
                    }

                    @Override
                    public FullHttpResponse malformed(String why) {
                        return response(Plugin.error(400, why));
                    }

                    @Override
                    public FullHttpResponse tooLarge(int maxBody) {
                        return response(Plugin.error(413, "request body over " + maxBody + " bytes"));
                    }
                });
        LOG.info("serving Docker's plugin API on {} (mode 0660, gid {})", server.socket(), access.gid());
    }

    private static FullHttpResponse response(Plugin.Response r) {
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()),
                Unpooled.copiedBuffer(r.body(), StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, Plugin.CONTENT_TYPE);
        return resp;
    }

    public Path socket() {
        return server.socket();
    }

    @Override
    public void close() {
        server.close();
    }
}
