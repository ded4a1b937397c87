global using CrdtSync.Replica;
global using Xunit;
