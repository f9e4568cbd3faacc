using System.Text.Json;
using Entitlements.Contracts;
using Entitlements.Gateway.Validation;

namespace Entitlements.Gateway.RallyHere;

/// <summary>
/// The body of our consume route, <c>{"item_id", "quantity", "operation_id"}</c>, checked as the RallyHere routes'
/// bodies are (a 422 in FastAPI's shape); only its answer has AccelByte's <c>EntitlementInfo</c> shape.
/// </summary>
public static class ConsumeEntitlementRequestReader
{
    /// <summary>
    /// The largest body taken (10,240 bytes): <c>item_id</c> and <c>operation_id</c> at twelve bytes a character
    /// (an emoji written as two <c>\uXXXX</c> escapes), and 4 KiB for the quantity, the names and whitespace.
    /// </summary>
    public const int MaxBodyBytes = (12 * (ConsumeEntitlement.MaxIdLength + ConsumeEntitlement.MaxIdLength)) + 4096;

    public static ConsumeEntitlement? Read(JsonElement body, List<ValidationErrorDetail> errors)
    {
        var fields = new JsonFieldReader(body, ["body"], errors);
        var itemId = fields.Text("item_id", required: true, maxLength: ConsumeEntitlement.MaxIdLength, minLength: 1);
        // Units of the item, not SKUs: a grant of up to 1,000,000 SKUs at up to 1,000,000,000 units each can give
        // a balance of 10^15, and one spend of it must be one consume; the balance itself bounds what is taken.
        var quantity = fields.WholeNumber("quantity", required: true, minimum: 1, maximum: long.MaxValue);
        var operationId = fields.Text("operation_id", required: true, maxLength: ConsumeEntitlement.MaxIdLength, minLength: 1);
        return errors.Count > 0 ? null : new ConsumeEntitlement(itemId!, quantity!.Value, operationId!);
    }
}
