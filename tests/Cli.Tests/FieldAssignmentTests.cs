using CrdtSync.Cli.Input;
using CrdtSync.Crdt.Values;
using Xunit;

namespace CrdtSync.Cli.Tests;

public sealed class FieldAssignmentTests
{
    [Fact]
    public void The_first_equals_sign_separates_name_and_value_and_a_colon_before_it_forces_a_string()
    {
        var fields = FieldAssignments.Parse(["forced:=12", "number=12", "text=a=b", "cleared=null"], null);

        Assert.Equal(Value.String("12"), fields["forced"]);
        Assert.Equal(Value.Int64(12), fields["number"]);
        Assert.Equal(Value.String("a=b"), fields["text"]);
        Assert.Equal(Value.Null, fields["cleared"]);
    }

    [Theory]
    [InlineData("novalue")]
    [InlineData("=12")]
    [InlineData(":=12")]
    public void An_assignment_without_a_name_is_a_usage_error(string assignment) =>
        Assert.Throws<CliUsageException>(() => FieldAssignments.Parse([assignment], null));
}
