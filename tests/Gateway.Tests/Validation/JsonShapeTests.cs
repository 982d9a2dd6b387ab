using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Rollgate.Json;
using Rollgate.Validation;

namespace Rollgate.Tests.Validation;

public sealed class JsonShapeTests
{
    private sealed record Sample
    {
        public required string Name { get; init; }
        public string? Optional { get; init; }
        [DisallowNull] public int? NeverNull { get; init; }
        public IReadOnlyList<double> Numbers { get; init; } = [];
        public IReadOnlyDictionary<string, int> Counts { get; init; } = new Dictionary<string, int>();
        public TimeSpan Every { get; init; }
        public DayOfWeek Day { get; init; }
        public JsonElement? Free { get; init; }
    }

    [Fact]
    public void Every_problem_is_reported_under_its_json_path()
    {
        var errors = Check("""
            {"optional": null, "neverNull": null, "numbers": [1, "2", null, 1e400], "counts": {"a": 1, "b": 1.5},
             "every": "soon", "day": "someday", "nmae": "x", "name": "y", "free": {"deep": [1e999, "ok"]}}
            """);

        Assert.Equal(new Dictionary<string, string[]>
        {
            ["neverNull"] = ["expected an integer, not null"],
            ["numbers[1]"] = ["expected a number, not a string"],
            ["numbers[2]"] = ["expected a number, not null"],
            ["numbers[3]"] = ["is out of range: numbers must be within ±1.7e308"],
            ["counts.b"] = ["expected an integer from -2147483648 to 2147483647"],
            ["every"] = ["'soon' is not a duration such as \"30s\", \"10m\" or \"1h\""],
            ["day"] = ["expected a valid value"],
            ["nmae"] = ["unknown field 'nmae'; did you mean 'name'?"],
            ["free.deep[0]"] = ["is out of range: numbers must be within ±1.7e308"],
        }.Select(e => $"{e.Key}: {e.Value.Single()}"), errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" | ", e.Value)}"));
    }

    [Fact]
    public void Missing_required_members_and_a_wrong_root_are_named()
    {
        Assert.Equal(["is required: a string"], Check("{}").ToDictionary()["name"]);
        Assert.Equal(["expected an object, not an array"], Check("[]").ToDictionary()["$"]);
        Assert.Equal(["expected an object, not null"], Check("null").ToDictionary()["$"]);
    }

    [Fact]
    public void Names_are_matched_with_their_case_and_each_given_once()
    {
        var errors = Check("""{"Name": "x", "name": "y", "name": "z"}""").ToDictionary();

        Assert.Equal(["unknown field 'Name'; did you mean 'name'?"], errors["Name"]);
        Assert.Equal(["appears more than once"], errors["name"]);
    }

    [Fact]
    public void Free_form_members_take_any_value_that_can_be_stored()
    {
        Assert.True(Check("""{"name": "x", "free": {"any": [null, true, {"shape": "at all"}], "a.b": 1}}""").IsEmpty);

        var errors = Check("{\"name\": \"x\", \"free\": {\"k\\ud800\": 1, \"t\": \"\\udc00\", \"d\": " + Nested(JsonShape.MaxFreeFormDepth) + "}}").ToDictionary();

        Assert.Equal(["has a member name that is not valid text (a lone surrogate or bytes that are not UTF-8)"], errors["free"]);
        Assert.Equal(["is not valid text: it holds a lone surrogate or bytes that are not UTF-8"], errors["free.t"]);
        Assert.Equal([$"nests deeper than {JsonShape.MaxFreeFormDepth} levels"], errors[Path(JsonShape.MaxFreeFormDepth)]);
    }

    [Fact]
    public void Long_unknown_names_are_shortened_in_the_problem()
    {
        var name = new string('x', 5000);

        var errors = Check($$"""{"name": "x", "{{name}}": 1}""").ToDictionary();

        var (field, messages) = Assert.Single(errors);
        Assert.Equal(JsonPath.MaxNameLength + 1, field.Length);
        Assert.StartsWith("unknown field 'xxx", messages.Single());
        Assert.True(messages.Single().Length < 400);
    }

    [Fact]
    public void A_body_of_many_wrong_members_gets_an_answer_of_bounded_size()
    {
        var members = string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"unknown{i}\": {i}"));

        var errors = Check($$"""{"name": "x", {{members}}}""");

        Assert.Equal(ValidationErrors.MaxFields, errors.ToDictionary().Count);
        Assert.EndsWith($"; and {5000 - ValidationErrors.MaxFields} more", errors.ToString());
    }

    [Fact]
    public void A_member_repeated_many_times_is_one_problem()
    {
        var members = string.Concat(Enumerable.Repeat(",\"name\": \"again\"", 5000));

        var errors = Check($$"""{"name": "x"{{members}}}""");

        Assert.Equal(["appears more than once"], errors.ToDictionary()["name"]);
    }

    [Theory]
    [InlineData("temprature", "temperature")]
    [InlineData("inputPerMtok", "inputPerMTok")]
    [InlineData("Destinations", "destinations")]
    [InlineData("destiantions", "destinations")]
    [InlineData("percent", null)]
    [InlineData("x", null)]
    public void The_closest_known_name_is_suggested_only_when_it_is_close(string typed, string? suggested)
        => Assert.Equal(suggested, ClosestName.Find(typed, ["temperature", "inputPerMTok", "outputPerMTok", "destinations", "canaryPercent"]));

    private static ValidationErrors Check(string json)
    {
        var errors = new ValidationErrors();
        using var document = JsonDocument.Parse(json);
        JsonShape.Check(document.RootElement, typeof(Sample), RollgateJson.Strict, "", errors);
        return errors;
    }

    /// <summary>An object nested <paramref name="levels"/> deep below the free-form member, so its innermost level is one too many.</summary>
    private static string Nested(int levels) => string.Concat(Enumerable.Repeat("{\"a\":", levels)) + "1" + new string('}', levels);

    private static string Path(int levels) => "free.d" + string.Concat(Enumerable.Repeat(".a", levels - 1));
}
