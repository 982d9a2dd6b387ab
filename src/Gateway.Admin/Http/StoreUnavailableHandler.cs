using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Rollgate.Stores;

namespace Rollgate.Admin.Http;

/// <summary>A store outage fails the admin call with 503 (nothing was changed) instead of a 500.</summary>
public sealed class StoreUnavailableHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not StoreUnavailableException unavailable)
        {
            return false;
        }

        httpContext.Response.Headers.RetryAfter = "1";
        await AdminProblems.Problem(StatusCodes.Status503ServiceUnavailable, "store-unavailable", "Store unavailable",
            $"{unavailable.Message} Nothing was changed; retry when the store is back.").ExecuteAsync(httpContext);
        return true;
    }
}
