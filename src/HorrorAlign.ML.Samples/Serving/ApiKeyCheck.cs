using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace HorrorAlign.ML.Samples.Serving;

/// <summary>
/// With a key set, every request but <c>/healthz</c> (open for probes) must carry <c>Authorization: Bearer KEY</c>, else
/// 401 <c>invalid_api_key</c>: routing ignores case, so the check must not rely on spelling a path one way. The comparison takes the same time whatever the
/// key sent, so timing tells nothing about the right one.
/// </summary>
internal sealed class ApiKeyCheck(string key)
{
    private readonly byte[] _keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Request.Path.Equals("/healthz", StringComparison.OrdinalIgnoreCase) || Allows(context.Request.Headers.Authorization.ToString()))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        string message = context.Request.Headers.Authorization.Count == 0
            ? "No API key: send the header 'Authorization: Bearer KEY'."
            : "Incorrect API key provided.";
        await OpenAiError.InvalidApiKey(message).WriteAsync(context.Response, context.RequestAborted).ConfigureAwait(false);
    }

    private bool Allows(string authorization)
    {
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        byte[] sent = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(sent, _keyHash);
    }
}
