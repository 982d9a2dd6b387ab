// A stand-in for an LLM backend: every request gets the same short chat completion with a usage object. Requests
// under /judge/ are answered as a judge model answers (a score in a small JSON object), for the judged-quality bench.
// Listens on the URL given by --urls (e.g. --urls http://127.0.0.1:5001).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var app = builder.Build();
var completion = """{"id":"x","choices":[{"message":{"content":"ok"}}],"usage":{"prompt_tokens":12,"completion_tokens":3}}"""u8.ToArray();
var score = """{"id":"j","choices":[{"message":{"content":"{\"score\": 0.8}"}}],"usage":{"prompt_tokens":400,"completion_tokens":6}}"""u8.ToArray();
app.Run(context =>
{
    var answer = context.Request.Path.StartsWithSegments("/judge") ? score : completion;
    context.Response.StatusCode = StatusCodes.Status200OK;
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = answer.Length;
    return context.Response.Body.WriteAsync(answer, context.RequestAborted).AsTask();
});
app.Run();
