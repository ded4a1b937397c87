internal static class BenchProgram { private static void Main() { } }
