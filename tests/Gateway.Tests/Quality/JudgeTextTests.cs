using System.Text;
using System.Text.Json.Nodes;
using Rollgate.Quality;

namespace Rollgate.Tests.Quality;

/// <summary>What the judge is sent and what counts as its score, and that sampling takes the same share whatever the version.</summary>
public sealed class JudgeTextTests
{
    private static readonly QualityPlan Plan = TestQualityPlans.Of("agent");

    [Theory]
    [InlineData("""{"score": 0.75}""", true, 0.75)]
    [InlineData("""{"score": 0}""", true, 0)]
    [InlineData("""{"score": 1, "reason": "fine"}""", true, 1)]
    [InlineData("""{"score": 1.2}""", false, 0)]
    [InlineData("""{"score": -0.1}""", false, 0)]
    [InlineData("""{"score": "0.5"}""", false, 0)]
    [InlineData("""{"rating": 0.5}""", false, 0)]
    [InlineData("0.5", false, 0)]
    [InlineData("Score: 0.5", false, 0)]
    public void Only_a_json_object_with_a_score_from_0_to_1_is_a_score(string message, bool scored, double expected)
    {
        var answer = new JsonObject
        {
            ["choices"] = new JsonArray(new JsonObject { ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = message } }),
        }.ToJsonString();

        Assert.Equal(scored, JudgeText.TryReadScore(Encoding.UTF8.GetBytes(answer), out var score));
        Assert.Equal(expected, scored ? score : 0);
    }

    [Fact]
    public void A_judge_answer_that_is_not_a_chat_completion_is_no_score()
    {
        Assert.False(JudgeText.TryReadScore("not json"u8, out _));
        Assert.False(JudgeText.TryReadScore("""{"choices": []}"""u8, out _));
        Assert.False(JudgeText.TryReadScore("""{"score": 0.5}"""u8, out _));
    }

    [Fact]
    public void The_conversation_keeps_every_message_with_its_role_and_text_parts()
    {
        var request = """
            {"messages": [{"role": "system", "content": "Be nice."}, {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]},
                          {"role": "assistant", "content": null, "tool_calls": []}, {"role": "user", "content": "Bye"}]}
            """;

        Assert.Equal("system: Be nice.\nuser: Hi there\nuser: Bye\n", JudgeText.Conversation(Encoding.UTF8.GetBytes(request)));
    }

    [Fact]
    public void A_stream_is_judged_as_its_deltas_put_together_and_an_answer_without_text_has_none()
    {
        var stream = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
                     + "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r\n\r\n"
                     + "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n"
                     + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}}\n\ndata: [DONE]\n\n";

        Assert.Equal("Hello", JudgeText.Answer(Encoding.UTF8.GetBytes(stream), streamed: true));
        Assert.Equal("", JudgeText.Answer("""{"choices":[{"message":{"role":"assistant","tool_calls":[]}}]}"""u8, streamed: false));
    }

    [Fact]
    public void A_responses_request_is_read_from_its_instructions_and_input()
    {
        Assert.Equal("system: Be brief.\nuser: Capital of France?\n",
            JudgeText.Conversation("""{"model": "m", "instructions": "Be brief.", "input": "Capital of France?"}"""u8));
        Assert.Equal("user: Hi\nassistant: Hello\nuser: Bye\n", JudgeText.Conversation("""
            {"input": [{"role": "user", "content": "Hi"}, {"type": "function_call_output", "output": "42"},
                       {"role": "assistant", "content": [{"type": "output_text", "text": "Hello"}]},
                       {"role": "user", "content": [{"type": "input_text", "text": "Bye"}]}]}
            """u8));
    }

    [Fact]
    public void A_response_is_judged_as_the_text_of_its_output_messages_whole_or_streamed()
    {
        var response = """
            {"object": "response", "output": [{"type": "reasoning", "summary": []}, {"type": "function_call", "name": "f", "arguments": "{}"},
              {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Paris", "annotations": []}, {"type": "output_text", "text": "."}]}],
             "usage": {"input_tokens": 10, "output_tokens": 2}}
            """;
        var stream = "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{}}\n\n"
                     + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Par\"}\n\n"
                     + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"is.\"}\n\n"
                     + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"output\":[]}}\n\n";

        Assert.Equal("Paris.", JudgeText.Answer(Encoding.UTF8.GetBytes(response), streamed: false));
        Assert.Equal("Paris.", JudgeText.Answer(Encoding.UTF8.GetBytes(stream), streamed: true));
        Assert.Equal("", JudgeText.Answer("""{"output": [{"type": "function_call", "name": "f"}]}"""u8, streamed: false));
    }

    [Fact]
    public void The_judge_request_has_the_rubric_as_system_message_and_asks_for_json()
    {
        var request = JsonNode.Parse(JudgeText.Request(Plan, "user: Hi\n", "Hello"))!;

        Assert.Equal("judge", (string?)request["model"]);
        Assert.Equal("json_object", (string?)request["response_format"]!["type"]);
        Assert.StartsWith("Be correct.", (string?)request["messages"]![0]!["content"]);
        Assert.Contains("{\"score\": s}", (string?)request["messages"]![0]!["content"]);
        Assert.Equal("Conversation:\nuser: Hi\n\nAnswer to score:\nHello", (string?)request["messages"]![1]!["content"]);
    }

    [Fact]
    public void Sampling_takes_the_sample_rate_within_statistical_bounds()
    {
        const int draws = 200_000;
        var sampled = 0;
        for (var i = 0; i < draws; i++)
        {
            sampled += Plan.Sample() ? 1 : 0;
        }

        // Binomial(200000, 0.05): mean 10,000, sd 97; five standard deviations either side.
        Assert.InRange(sampled, 10_000 - 5 * 97, 10_000 + 5 * 97);
    }
}
