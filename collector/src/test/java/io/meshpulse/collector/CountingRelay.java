package io.meshpulse.collector;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on a loopback port that forwards each accepted connection to a target and counts the
 * bytes the clients send, to see traffic that no API reports (an HTTP/2 PING, for example).
 */
final class CountingRelay implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final AtomicLong clientBytes = new AtomicLong();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  CountingRelay(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "counting-relay-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Bytes the clients have sent towards the target so far. */
  long clientBytes() {
    return clientBytes.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Socket target = new Socket();
      sockets.add(client);
      sockets.add(target);
      try {
        target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        pump(client, target, clientBytes);
        pump(target, client, new AtomicLong());
      } catch (IOException e) {
        // The target refused: the client sees its connection close, and the next may succeed.
        closeQuietly(client);
        closeQuietly(target);
      }
      if (server.isClosed()) {
        closeQuietly(client); // accepted while close() ran
        closeQuietly(target);
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed or broken: nothing more to release
    }
  }

  private static void pump(Socket from, Socket to, AtomicLong counted) throws IOException {
    InputStream in = from.getInputStream();
    OutputStream out = to.getOutputStream();
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                  counted.addAndGet(n);
                  out.write(buffer, 0, n);
                  out.flush();
                }
                to.shutdownOutput();
              } catch (IOException e) {
                // one side closed: the other pump ends too
              }
            },
            "counting-relay-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
