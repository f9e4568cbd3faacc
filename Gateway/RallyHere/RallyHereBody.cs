using System.Text.Json;
using Entitlements.Gateway.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Entitlements.Gateway.RallyHere;

/// <summary>The JSON object body of a RallyHere write route, or the answer that refuses it before any field is read.</summary>
public static class RallyHereBody
{
    /// <summary>
    /// Reads the body (<see cref="JsonBody.ReadObjectAsync"/>). A body over <paramref name="maxBytes"/> is refused
    /// 413 (<see cref="RallyHereResults.TooLarge"/>), one Python's <c>json.loads</c> cannot parse 400
    /// (<see cref="RallyHereResults.BodyNotParsed"/>); otherwise the document, or null with the body's problems
    /// in <c>Errors</c>, for the route to answer 422 with its own. The caller disposes of the document.
    /// </summary>
    /// <typeparam name="TOk">What the route answers 200 with: the refusal is one of the route's answers.</typeparam>
    public static async Task<(JsonDocument? Document, List<ValidationErrorDetail> Errors, Results<Ok<TOk>, JsonHttpResult<HttpValidationError>, JsonHttpResult<HzApiErrorModel>, JsonHttpResult<HttpErrorDetail>>? Refusal)> ReadObjectAsync<TOk>(
        HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var (document, errors, tooLarge, notParsed) = await JsonBody.ReadObjectAsync(request, maxBytes, cancellationToken);
        if (tooLarge)
        {
            return (null, errors, RallyHereResults.TooLarge(maxBytes));
        }

        if (notParsed)
        {
            return (null, errors, RallyHereResults.BodyNotParsed());
        }

        return (document, errors, null);
    }
}
