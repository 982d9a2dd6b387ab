using System.ComponentModel;
using System.Globalization;

namespace Rollgate.Json;

/// <summary>
/// Lets configuration binding read <see cref="TimeSpan"/> settings in the operator's notation (<c>500ms</c>, <c>5s</c>,
/// <c>10m</c>), like every other duration of the gateway, while still accepting .NET's <c>hh:mm:ss</c>.
/// </summary>
public sealed class DurationTypeConverter : TimeSpanConverter
{
    /// <summary>What a value that does not convert is told, after its key and value.</summary>
    public const string Expected = "is not a duration such as 500ms, 5s or 10m";

    private static int _registered;

    /// <summary>Makes this the converter the configuration binder uses for <see cref="TimeSpan"/> (once per process).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(DurationTypeConverter)));
        }
    }

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        if (value is string text)
        {
            if (Duration.TryParse(text, out var duration))
            {
                return duration;
            }

            if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
            {
                return span;
            }

            throw new FormatException(Expected);
        }

        return base.ConvertFrom(context, culture, value);
    }
}
