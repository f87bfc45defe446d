using System.CommandLine;
using System.Text.RegularExpressions;

namespace HorrorAlign.ML.Samples.Cli;

/// <summary>
/// A group of flags bound onto one of the library's options records (<typeparamref name="TOptions"/>). Each flag knows
/// the property it sets: its own range is checked while parsing, and a rule the record enforces across properties is
/// reported with the flags' names instead of the property names. Only the flags the user gave override the defaults
/// handed to <see cref="Read(ParseResult, TOptions)"/> (train's come from its preset, not the library's).
/// </summary>
/// <typeparam name="TOptions">The library's options record.</typeparam>
public abstract class OptionsBinder<TOptions> where TOptions : class
{
    private readonly List<Binding> _bindings = [];
    private readonly TOptions? _shownDefaults;

    /// <param name="shownDefaults">Defaults that help shows next to each flag; null shows none (when they vary).</param>
    protected OptionsBinder(TOptions? shownDefaults) => _shownDefaults = shownDefaults;

    /// <summary>The group's options, in help order.</summary>
    public IReadOnlyList<Option> Options => [.. _bindings.Select(b => b.Option)];

    /// <summary>Adds the group's options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var binding in _bindings) command.Options.Add(binding.Option);
    }

    /// <summary>Defines one flag of the group.</summary>
    /// <param name="option">The flag.</param>
    /// <param name="property">The property it sets (for messages).</param>
    /// <param name="get">Reads the property (for the default help shows).</param>
    /// <param name="set">Returns the record with the property set.</param>
    protected Option<T> Bind<T>(Option<T> option, string property, Func<TOptions, T> get, Func<TOptions, T, TOptions> set)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(get);
        if (_shownDefaults is { } shown) option.DefaultValueFactory = _ => get(shown);
        _bindings.Add(new Binding(option, property,
            (options, result) => result.GetResult(option) is { Implicit: false } ? set(options, result.GetValue(option)!) : options));
        return option;
    }

    /// <summary><paramref name="defaults"/> with every flag of the group that <paramref name="result"/> holds.</summary>
    /// <exception cref="CliException">The record rejects the combination; the message names the flags.</exception>
    public TOptions Read(ParseResult result, TOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = Complete(_bindings.Aggregate(defaults, (o, b) => b.Apply(o, result)));
        try
        {
            Validate(options);
        }
        catch (ArgumentException e)
        {
            throw new CliException(InFlagTerms(e));
        }
        return options;
    }

    /// <summary>Derives settings after binding (e.g. the original's greedy convention); the default keeps them.</summary>
    protected virtual TOptions Complete(TOptions options) => options;

    /// <summary>The record's own check; throws <see cref="ArgumentException"/> naming a property.</summary>
    protected abstract void Validate(TOptions options);

    /// <summary>The library's message with each property name (bare or <c>Type.Property</c>) replaced by its flag; a
    /// binding's property may name its type to tell apart two records' properties of one name.</summary>
    private string InFlagTerms(ArgumentException e)
    {
        string message = e.Message;
        int suffix = message.IndexOf(" (Parameter '", StringComparison.Ordinal); // and ArgumentOutOfRange's "Actual value" line after it
        if (suffix >= 0) message = message[..suffix];
        foreach (var binding in _bindings.OrderByDescending(b => b.Property.Length))
        {
            message = Regex.Replace(message, $@"\b(?:\w+\.)?{Regex.Escape(binding.Property)}\b", binding.Option.Name);
        }
        return message;
    }

    private sealed record Binding(Option Option, string Property, Func<TOptions, ParseResult, TOptions> Apply);
}
