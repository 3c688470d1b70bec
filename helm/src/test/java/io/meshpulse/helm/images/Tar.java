package io.meshpulse.helm.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough of the tar format (ustar, with PAX and GNU long-name headers on reading) to write a
 * base image layer and to read the archives and layers Jib writes.
 */
final class Tar {
  private static final int BLOCK = 512;

  private Tar() {}

  /** One file or directory of an archive. */
  record Entry(String name, int mode, int uid, int gid, char type, byte[] content) {
    static Entry file(String name, int mode, byte[] content) {
      return new Entry(name, mode, 0, 0, '0', content);
    }

    static Entry directory(String name) {
      return new Entry(name.endsWith("/") ? name : name + "/", 0755, 0, 0, '5', new byte[0]);
    }

    boolean isDirectory() {
      return type == '5';
    }

    /** The absolute path in the image's file system, without a trailing slash. */
    String path() {
      String p = name.startsWith("./") ? name.substring(1) : name;
      p = p.startsWith("/") ? p : "/" + p;
      return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
  }

  static byte[] write(List<Entry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Entry e : entries) {
      byte[] header = new byte[BLOCK];
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      if (name.length > 100) {
        throw new IllegalArgumentException("name longer than 100 bytes: " + e.name());
      }
      System.arraycopy(name, 0, header, 0, name.length);
      octal(header, 100, 8, e.mode());
      octal(header, 108, 8, e.uid());
      octal(header, 116, 8, e.gid());
      octal(header, 124, 12, e.content().length);
      octal(header, 136, 12, 0);
      header[156] = (byte) e.type();
      System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 8);
      for (int i = 148; i < 156; i++) {
        header[i] = ' ';
      }
      int sum = 0;
      for (byte b : header) {
        sum += b & 0xff;
      }
      octal(header, 148, 7, sum);
      out.writeBytes(header);
      out.writeBytes(e.content());
      out.writeBytes(new byte[padding(e.content().length)]);
    }
    out.writeBytes(new byte[2 * BLOCK]);
    return out.toByteArray();
  }

  static List<Entry> read(InputStream in) throws IOException {
    List<Entry> entries = new ArrayList<>();
    String longName = null;
    while (true) {
      byte[] header = in.readNBytes(BLOCK);
      if (header.length < BLOCK || isZero(header)) {
        return entries;
      }
      long size = parseOctal(header, 124, 12);
      byte[] content = in.readNBytes((int) size);
      in.readNBytes(padding((int) size));
      char type = (char) header[156];
      if (type == 'x' || type == 'L') {
        longName = type == 'L' ? cString(content, 0, content.length) : paxPath(content);
        continue;
      }
      if (type == 'g') {
        continue;
      }
      String name = cString(header, 0, 100);
      String prefix = cString(header, 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
      if (longName != null) {
        name = longName;
        longName = null;
      }
      entries.add(
          new Entry(
              name,
              (int) parseOctal(header, 100, 8),
              (int) parseOctal(header, 108, 8),
              (int) parseOctal(header, 116, 8),
              type == 0 ? '0' : type,
              content));
    }
  }

  private static String paxPath(byte[] content) {
    String records = new String(content, StandardCharsets.UTF_8);
    for (String record : records.split("\n")) {
      int space = record.indexOf(' ');
      if (space > 0 && record.startsWith("path=", space + 1)) {
        return record.substring(space + 1 + "path=".length());
      }
    }
    return null;
  }

  private static int padding(int size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static void octal(byte[] header, int offset, int length, long value) {
    String digits = String.format("%0" + (length - 1) + "o", value);
    System.arraycopy(digits.getBytes(StandardCharsets.US_ASCII), 0, header, offset, length - 1);
    header[offset + length - 1] = 0;
  }

  private static long parseOctal(byte[] header, int offset, int length) {
    String s = cString(header, offset, length).trim();
    return s.isEmpty() ? 0 : Long.parseLong(s, 8);
  }

  private static String cString(byte[] bytes, int offset, int length) {
    int end = offset;
    while (end < offset + length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
  }
}
