package org.calicojava.bgp.control;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * One control client on the server's I/O thread: admitted if there is room, its credentials checked, then one command
 * line (at most {@code maxLine} bytes, within the idle timeout; a line ended by EOF counts too), answered, closed.
 * {@code watch routes} streams instead until the client goes (or reads too slowly: then it is closed).
 */
final class ControlClient extends ChannelInboundHandlerAdapter {
    private final ControlServer server;
    private final int maxLine;
    private final byte[] line;
    private int length;
    private boolean admitted, commanded, watching, refused;
    /** The client shut its side (half-close); the I/O thread only. */
    private boolean inputShut;

    private String refusal;
    private Consumer<String> watcher;

    private final int writeStallSeconds;

    ControlClient(ControlServer server, int maxLine, int writeStallSeconds) {
        this.server = server;
        this.maxLine = maxLine;
        this.line = new byte[maxLine];
        this.writeStallSeconds = writeStallSeconds;
    }

    /**
     * Closes the connection when what is queued for the client stays the same for {@code writeStallSeconds} (it does
     * not read its answer or its watch), so it cannot keep its place among the server's clients for good. Looked at
     * every second, so the close comes within a second of the stall time.
     */
    private void closeWhenStalled(ChannelHandlerContext ctx) {
        long[] last = {-1, System.nanoTime()}; // pending bytes when last seen to change, and when
        long stall = java.util.concurrent.TimeUnit.SECONDS.toNanos(writeStallSeconds);
        io.netty.util.concurrent.ScheduledFuture<?> check = ctx.executor()
                .scheduleAtFixedRate(
                        () -> {
                            io.netty.channel.ChannelOutboundBuffer out =
                                    ctx.channel().unsafe().outboundBuffer();
                            // bytes still to write: a large answer is one message, written bit by bit
                            long pending = out == null ? 0 : out.totalPendingWriteBytes() - out.currentProgress();
                            long now = System.nanoTime();
                            if (pending != last[0] || pending == 0) {
                                last[0] = pending;
                                last[1] = now;
                            } else if (now - last[1] >= stall) {
                                ctx.close();
                            }
                        },
                        1,
                        1,
                        java.util.concurrent.TimeUnit.SECONDS);
        ctx.channel().closeFuture().addListener(f -> check.cancel(false));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!server.admit()) {
            commanded = true;
            refuse(ctx, "error: too many clients (at most " + server.maxClients() + " at once), try again\n");
            return;
        }
        admitted = true;
        refusal = server.refusal((EpollDomainSocketChannel) ctx.channel());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (commanded) {
                return; // one command per connection: the rest is ignored
            }
            ByteBuf in = (ByteBuf) msg;
            while (in.isReadable()) {
                byte b = in.readByte();
                if (b == '\n') {
                    command(ctx);
                    return;
                }
                if (length == maxLine) {
                    commanded = true;
                    refuse(ctx, "error: command line longer than " + maxLine + " bytes\n");
                    return;
                }
                line[length++] = b;
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void command(ChannelHandlerContext ctx) {
        commanded = true;
        String text = new String(line, 0, length, StandardCharsets.UTF_8);
        if (length > 0 && line[length - 1] == '\r') {
            text = text.substring(0, text.length() - 1);
        }
        if (refusal != null) {
            reply(ctx, "error: " + refusal + "\n");
            return;
        }
        if (text.trim().equals("watch routes")) {
            watch(ctx);
            return;
        }
        server.run(text, answer -> reply(ctx, answer));
    }

    private void watch(ChannelHandlerContext ctx) {
        watching = true;
        watcher = s -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (!ctx.channel().isWritable()) { // the client does not read: drop it rather than buffer without bound
                ctx.close();
                return;
            }
            ctx.writeAndFlush(bytes(ctx, s + "\n"));
        };
        // registered before the first line, so no change after that line is missed; the RIB thread's writes are queued
        // to this thread and come after the line
        server.rib().watch(watcher);
        ctx.writeAndFlush(bytes(ctx, "watching route changes\n"));
        closeWhenStalled(ctx);
    }

    /** Writes the answer and closes; called on the I/O thread or, for a command's answer, the worker's. */
    private void reply(ChannelHandlerContext ctx, String s) {
        if (!ctx.executor().inEventLoop()) {
            try {
                ctx.executor().execute(() -> reply(ctx, s));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the server is shutting down: its connections close with it
            }
            return;
        }
        if (inputShut && ctx.channel().isActive()) {
            // Netty 4.2.18's epoll transport took the connection out of its epoll set when the client's side shut
            // (nothing left to wait for) but still counts it as added, so an answer larger than the socket's buffer,
            // which needs to wait for room to write, failed (epoll_ctl MOD: ENOENT) and came cut short. Registering
            // the connection again gives it a fresh registration, which adds it back when the write needs to wait.
            // (The server's write spin count keeps EPOLLOUT set until the answer is done, so the ops never run empty
            // in the middle of it, also when the client shuts its side while the answer is being written.)
            io.netty.channel.Channel ch = ctx.channel();
            io.netty.channel.EventLoop loop = ch.eventLoop();
            ch.config().setAutoRead(false); // nothing more to read: no EPOLLIN on the new registration
            // if registering again never completes (epoll refuses the fd), the client must not keep its place
            io.netty.util.concurrent.ScheduledFuture<?> guard =
                    loop.schedule(() -> ctx.close(), writeStallSeconds, java.util.concurrent.TimeUnit.SECONDS);
            ch.deregister()
                    .addListener(d -> loop.register(ch).addListener(r -> {
                        guard.cancel(false);
                        if (r.isSuccess()) {
                            write(ctx, s);
                        } else {
                            ctx.close();
                        }
                    }));
            return;
        }
        write(ctx, s);
    }

    private void write(ChannelHandlerContext ctx, String s) {
        ctx.writeAndFlush(bytes(ctx, s)).addListener(ChannelFutureListener.CLOSE);
        closeWhenStalled(ctx);
    }

    /**
     * An error before the client said all it meant to: written, then our side shut down, and the connection closed when
     * the client closes its side (at most 1 s later), so a client still writing reads the error instead of EPIPE.
     */
    private void refuse(ChannelHandlerContext ctx, String s) {
        refused = true;
        ctx.writeAndFlush(bytes(ctx, s)).addListener(f -> {
            if (ctx.channel() instanceof io.netty.channel.socket.DuplexChannel d && d.isActive()) {
                d.shutdownOutput();
            }
            ctx.executor()
                    .schedule(
                            () -> {
                                ctx.close();
                            },
                            1,
                            java.util.concurrent.TimeUnit.SECONDS);
        });
    }

    private static ByteBuf bytes(ChannelHandlerContext ctx, String s) {
        return io.netty.buffer.ByteBufUtil.writeUtf8(ctx.alloc(), s);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShut = true;
            if (watching || refused) {
                ctx.close(); // a watching client has nothing more to say: EOF means it went away
            } else if (!commanded && length > 0) {
                command(ctx); // the last line without a newline
            } else if (!commanded) {
                ctx.close();
            }
        } else if (evt instanceof IdleStateEvent && !commanded) {
            commanded = true;
            reply(ctx, "error: no command within " + ControlServer.COMMAND_TIMEOUT_S + " s\n");
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (admitted) {
            server.left();
        }
        if (watcher != null) {
            server.rib().unwatch(watcher);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
