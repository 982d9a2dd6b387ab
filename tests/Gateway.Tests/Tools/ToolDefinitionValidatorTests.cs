using Rollgate.Tools;

namespace Rollgate.Tests.Tools;

public sealed class ToolDefinitionValidatorTests
{
    private static readonly ToolDefinition Valid = new() { Endpoint = "http://127.0.0.1:9100/api" };

    [Fact]
    public void The_defaults_are_valid()
        => Assert.True(ToolDefinitionValidator.Validate(Valid).IsEmpty);

    [Theory]
    [InlineData("endpoint", "ftp://tools.example.com")]
    [InlineData("endpoint", "/relative")]
    [InlineData("endpoint", "http://user:secret@tools.example.com")]
    [InlineData("endpoint", "http://tools.example.com/?key=1")]
    [InlineData("timeout", "5ms")]
    [InlineData("breaker.failureRatio", "0")]
    [InlineData("breaker.failureRatio", "1.5")]
    [InlineData("breaker.minimumThroughput", "1")]
    [InlineData("breaker.samplingDuration", "100ms")]
    [InlineData("breaker.breakDuration", "400ms")]
    [InlineData("breaker.breakDuration", "2d")]
    [InlineData("probePath", "health")]
    [InlineData("probePath", "/health?x=1")]
    public void Each_bad_field_is_named(string field, string value)
    {
        var definition = field switch
        {
            "endpoint" => Valid with { Endpoint = value },
            "timeout" => Valid with { Timeout = Json.Duration.TryParse(value, out var t) ? t : default },
            "breaker.failureRatio" => Valid with { Breaker = Valid.Breaker with { FailureRatio = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) } },
            "breaker.minimumThroughput" => Valid with { Breaker = Valid.Breaker with { MinimumThroughput = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) } },
            "breaker.samplingDuration" => Valid with { Breaker = Valid.Breaker with { SamplingDuration = Json.Duration.TryParse(value, out var s) ? s : default } },
            "breaker.breakDuration" => Valid with { Breaker = Valid.Breaker with { BreakDuration = Json.Duration.TryParse(value, out var b) ? b : default } },
            _ => Valid with { ProbePath = value },
        };

        var errors = ToolDefinitionValidator.Validate(definition).ToDictionary();
        Assert.Equal([field], errors.Keys);
    }
}
