import java.util.Locale;
public class Case {
  public static void main(String[] a) {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c <= 0xFFFF; c++) {
      if (c >= 0xD800 && c <= 0xDFFF) continue;
      String s = String.valueOf((char)c);
      String lo = s.toLowerCase(Locale.ROOT), up = s.toUpperCase(Locale.ROOT);
      if (lo.equals(s) && up.equals(s)) continue;
      sb.append(Integer.toHexString(c)).append('\t').append(hex(lo)).append('\t').append(hex(up)).append('\n');
    }
    System.out.print(sb);
  }
  static String hex(String s) { StringBuilder b = new StringBuilder(); for (int i=0;i<s.length();i++){ if(i>0)b.append(' '); b.append(Integer.toHexString(s.charAt(i)));} return b.toString(); }
}
