internal static class SyncBenchProgram { private static int Main() => 0; }
