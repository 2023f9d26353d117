namespace BalancedMultimodal.Core.Encoding;

/// <summary>Creates a <see cref="ConcatenatedEncoder"/> per modality from one encoder of each given factory
/// (e.g. a relational GCN and an MLP): h_m = [f_1(X_m), ..., f_K(X_m)].</summary>
public sealed class ConcatenatedEncoderFactory : IModalityEncoderFactory
{
    private readonly IModalityEncoderFactory[] _factories;

    /// <summary>Creates the factory.</summary>
    /// <param name="factories">At least one factory; each builds one part of every modality's encoder, in order.</param>
    /// <exception cref="ArgumentException">No factory given, or a null entry.</exception>
    public ConcatenatedEncoderFactory(IReadOnlyList<IModalityEncoderFactory> factories)
    {
        ArgumentNullException.ThrowIfNull(factories);
        if (factories.Count == 0) throw new ArgumentException("At least one encoder factory is needed.", nameof(factories));
        for (int k = 0; k < factories.Count; k++)
            if (factories[k] is null) throw new ArgumentException($"Factory {k} is null.", nameof(factories));
        _factories = factories.ToArray();
    }

    /// <inheritdoc />
    public ModalityEncoder Create(ModalityEncoderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The parts already built are disposed (their native parameters freed) if a later factory, or the concatenated
        // encoder's own checks, refuse.
        var parts = new List<ModalityEncoder>(_factories.Length);
        try
        {
            foreach (var factory in _factories) parts.Add(factory.Create(request));
            return new ConcatenatedEncoder(parts);
        }
        catch
        {
            foreach (var part in parts) part.Dispose();
            throw;
        }
    }
}
