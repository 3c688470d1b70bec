package io.meshpulse.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TcpRelayTest {

  @Test
  void forwards_holdsEverythingWhileCut_andDeliversItWhenHealed() throws Exception {
    try (ServerSocket echo = echoServer();
        TcpRelay relay = TcpRelay.open().forwardTo(echo.getLocalPort())) {

      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
        client.setSoTimeout(2_000);
        assertThat(roundTrip(client, "one")).isEqualTo("one");

        relay.cut();
        client.setSoTimeout(500);
        client.getOutputStream().write("two".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> client.getInputStream().read())
            .as("nothing passes while cut, and nothing is reset")
            .isInstanceOf(SocketTimeoutException.class);

        relay.heal();
        client.setSoTimeout(2_000);
        assertThat(read(client.getInputStream(), 3)).as("held, then delivered").isEqualTo("two");
      }
    }
  }

  @Test
  void aConnectionOpenedWhileCut_isAnsweredOnlyOnceHealed() throws Exception {
    try (ServerSocket echo = echoServer();
        TcpRelay relay = TcpRelay.open().forwardTo(echo.getLocalPort())) {
      relay.cut();
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
        client.setSoTimeout(500);
        client.getOutputStream().write("new".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> client.getInputStream().read())
            .isInstanceOf(SocketTimeoutException.class);

        relay.heal();
        client.setSoTimeout(2_000);
        assertThat(read(client.getInputStream(), 3)).isEqualTo("new");
      }
    }
  }

  private static String roundTrip(Socket client, String text) throws Exception {
    OutputStream out = client.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    return read(client.getInputStream(), text.length());
  }

  private static String read(InputStream in, int n) throws Exception {
    byte[] b = in.readNBytes(n);
    return new String(b, StandardCharsets.US_ASCII);
  }

  /** A server on 127.0.0.1 that sends back every byte each connection sends it. */
  private static ServerSocket echoServer() throws java.io.IOException {
    ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread echoer = new Thread(() -> echo(server), "echo");
    echoer.setDaemon(true);
    echoer.start();
    return server;
  }

  private static void echo(ServerSocket server) {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t =
            new Thread(
                () -> {
                  try (s) {
                    s.getInputStream().transferTo(s.getOutputStream());
                  } catch (Exception e) {
                    // the client went away
                  }
                });
        t.setDaemon(true);
        t.start();
      } catch (Exception e) {
        return;
      }
    }
  }
}
