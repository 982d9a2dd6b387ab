// A stand-in for an LLM backend: every request gets the same short chat completion with a usage object.
// Listens on the URL given by --urls (e.g. --urls http://127.0.0.1:5001).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var app = builder.Build();
var body = """{"id":"x","choices":[{"message":{"content":"ok"}}],"usage":{"prompt_tokens":12,"completion_tokens":3}}"""u8.ToArray();
app.Run(context =>
{
    context.Response.StatusCode = StatusCodes.Status200OK;
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
});
app.Run();
