using System.Text.Json;
using Entitlements.Contracts;
using Entitlements.Gateway.RallyHere;
using Entitlements.Gateway.Validation;

namespace Entitlements.Gateway.AccelByte;

/// <summary>The body of our consume route: <c>{"item_id", "quantity", "operation_id"}</c>.</summary>
public static class ConsumeEntitlementRequestReader
{
    public static ConsumeEntitlement? Read(JsonElement body, List<ValidationErrorDetail> errors)
    {
        var fields = new JsonFieldReader(body, ["body"], errors);
        var itemId = fields.Text("item_id", required: true, maxLength: 256, minLength: 1);
        var quantity = fields.WholeNumber("quantity", required: true, minimum: 1, maximum: EntitlementEventRequestReader.MaxQuantity);
        var operationId = fields.Text("operation_id", required: true, maxLength: 256, minLength: 1);
        return errors.Count > 0 ? null : new ConsumeEntitlement(itemId!, quantity!.Value, operationId!);
    }
}
