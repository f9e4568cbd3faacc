using System.Diagnostics.Metrics;

namespace Entitlements.Tests.Webhooks;

/// <summary>
/// Reads the webhook gauges of the meter <c>Entitlements.Grains</c> that one silo's meter factory made, for one
/// webhook, through a <see cref="MeterListener"/> (the names are spelled out, as an operator's alert would).
/// </summary>
internal sealed class WebhookGauges : IDisposable
{
    public const string DeliveredPosition = "entitlements.webhook.delivered_position";
    public const string Backlog = "entitlements.webhook.backlog";
    public const string OldestUndeliveredAge = "entitlements.webhook.oldest_undelivered_age";

    private readonly MeterListener _listener = new();
    private readonly object _scope;
    private readonly string _webhook;
    private readonly Dictionary<string, double> _read = [];

    public WebhookGauges(IMeterFactory meters, string webhook)
    {
        _scope = meters;
        _webhook = webhook;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Entitlements.Grains" && instrument.Name.StartsWith("entitlements.webhook.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>One collection: each gauge's value for the webhook, by instrument name; a gauge that reported nothing for it is absent.</summary>
    public IReadOnlyDictionary<string, double> Read()
    {
        lock (_read)
        {
            _read.Clear();
            _listener.RecordObservableInstruments();
            return new Dictionary<string, double>(_read);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!ReferenceEquals(instrument.Meter.Scope, _scope))
        {
            return;
        }

        foreach (var tag in tags)
        {
            if (tag.Key == "webhook" && (string?)tag.Value == _webhook)
            {
                _read[instrument.Name] = value;
            }
        }
    }
}
