package io.meshpulse.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forwards TCP connections from a port of its own on 127.0.0.1 to another port there, and can cut
 * them off the way a network partition does: while cut, no byte passes in either direction and a
 * new connection is accepted but gets no answer. Nothing is closed or reset, so each peer learns of
 * the cut only from its own timeouts. Healing lets the held bytes through, as TCP's retransmissions
 * would after a partition ends.
 *
 * <pre>{@code
 * try (TcpRelay relay = TcpRelay.open()) {
 *   relay.forwardTo(serverPort);
 *   // clients connect to relay.port()
 *   relay.cut();
 * }
 * }</pre>
 */
public final class TcpRelay implements AutoCloseable {
  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  // @GuardedBy("gate")
  private boolean cut;
  private volatile boolean closed;

  private TcpRelay(ServerSocket server) {
    this.server = server;
  }

  /** Binds a free port on 127.0.0.1; nothing is forwarded before {@link #forwardTo}. */
  public static TcpRelay open() {
    try {
      return new TcpRelay(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind a relay port", e);
    }
  }

  /** The port clients connect to. */
  public int port() {
    return server.getLocalPort();
  }

  /** Starts accepting connections and forwarding each to {@code targetPort} on 127.0.0.1. */
  public TcpRelay forwardTo(int targetPort) {
    Thread acceptor = new Thread(() -> accept(targetPort), "tcp-relay-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
    return this;
  }

  /** Stops every byte in both directions, on open connections and on new ones, until healed. */
  public void cut() {
    synchronized (gate) {
      cut = true;
    }
  }

  /** Lets bytes through again, first those held since the cut. */
  public void heal() {
    synchronized (gate) {
      cut = false;
      gate.notifyAll();
    }
  }

  /** Closes the relay's port and every connection through it. */
  @Override
  public void close() {
    closed = true;
    heal();
    closeQuietly(server);
    sockets.forEach(TcpRelay::closeQuietly);
  }

  private void accept(int targetPort) {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      sockets.add(client);
      Thread connector =
          new Thread(() -> connect(client, targetPort), "tcp-relay-connect-" + port());
      connector.setDaemon(true);
      connector.start();
    }
  }

  private void connect(Socket client, int targetPort) {
    Socket upstream = new Socket();
    sockets.add(upstream);
    try {
      awaitHealed();
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
      pump(client, upstream);
      pump(upstream, client);
    } catch (IOException | InterruptedException e) {
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  private void pump(Socket from, Socket to) throws IOException {
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  awaitHealed();
                  out.write(buffer, 0, n);
                  out.flush();
                }
                to.shutdownOutput();
              } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-relay-pump-" + port());
    t.setDaemon(true);
    t.start();
  }

  private void awaitHealed() throws InterruptedException {
    synchronized (gate) {
      while (cut) {
        gate.wait();
      }
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
