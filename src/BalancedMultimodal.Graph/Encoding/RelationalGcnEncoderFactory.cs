using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using Microsoft.Extensions.Options;

namespace BalancedMultimodal.Graph.Encoding;

/// <summary>
/// Creates a <see cref="RelationalGcnEncoder"/> over one shared patient graph for every modality: the graph
/// encoder of the balanced schedule (<c>BalancedMultimodal.Distillation.Training.BalancedTrainer</c>).
/// </summary>
/// <remarks>Every encoder copies the template options with the modality's input width, the graph's relation count
/// and no classifier head. The graph must live on the device the trainer requests.</remarks>
public sealed class RelationalGcnEncoderFactory : IModalityEncoderFactory
{
    private readonly RelationalGraph _graph;
    private readonly RelationalGcnOptions _template;

    /// <summary>Creates the factory.</summary>
    /// <param name="graph">The patient graph shared by all modalities (not owned).</param>
    /// <param name="template">Hidden sizes, activation, dropout and decomposition of every encoder; <c>InputSize</c>,
    /// <c>RelationCount</c> and <c>ClassCount</c> are set per modality. The options are validated and copied here:
    /// later changes to <paramref name="template"/> do not affect the factory.</param>
    /// <exception cref="OptionsValidationException">When an option is invalid (the failures name it). Whether
    /// <c>NumBlocks</c> divides a modality's input width is checked by <see cref="Create"/>.</exception>
    /// <exception cref="ArgumentException">When the template sets <c>ClassCount</c>.</exception>
    /// <exception cref="ObjectDisposedException">When <paramref name="graph"/> was disposed.</exception>
    public RelationalGcnEncoderFactory(RelationalGraph graph, RelationalGcnOptions template)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(template);
        graph.ThrowIfDisposedArgument(nameof(graph));
        if (template.ClassCount is not null)
            throw new ArgumentException("An encoder has no classifier head: leave ClassCount null (the balanced network adds its own heads).", nameof(template));
        _graph = graph;
        // The input width is only known per modality: validate with one that satisfies NumBlocks' divisibility rule
        // (the rule is checked per modality in Create).
        _template = template.CopyWith(template.PlaceholderInputSize, graph.RelationCount, classCount: null);
        var result = new RelationalGcnOptionsValidator().Validate(null, _template);
        if (result.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(RelationalGcnOptions), result.Failures);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">When the request's device is not the graph's, or the template's options do
    /// not fit the modality's input width (e.g. <c>NumBlocks</c> does not divide it); the message names the modality.</exception>
    /// <exception cref="ObjectDisposedException">When the graph was disposed.</exception>
    public ModalityEncoder Create(ModalityEncoderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var graphDevice = _graph.Device;
        // A negative index means "the default device of that type" (torch.CUDA is cuda:-1, a tensor on it reports cuda:0).
        if (request.Device.type != graphDevice.type || Math.Max(request.Device.index, 0) != Math.Max(graphDevice.index, 0))
            throw new ArgumentException($"Modality '{request.ModalityName}' is trained on {Describe(request.Device)} but the graph lives on {Describe(graphDevice)}; move the graph with RelationalGraph.To first.", nameof(request));
        if (request.InputDim is < 1 or > int.MaxValue)
            throw new ArgumentException($"Modality '{request.ModalityName}': the input width must be between 1 and {int.MaxValue}, got {request.InputDim}.", nameof(request));
        var options = _template.CopyWith((int)request.InputDim, _template.RelationCount, classCount: null);
        var result = new RelationalGcnOptionsValidator().Validate(null, options);
        if (result.Failed)
            throw new ArgumentException($"Modality '{request.ModalityName}': invalid encoder options for its {request.InputDim} input features: {result.FailureMessage}", nameof(request));
        return new RelationalGcnEncoder(_graph, options, request.Device, request.DType);
    }

    /// <summary>"type:index" with the default device's index as 0 (TorchSharp prints a CPU device without its index,
    /// which would make cpu:1 and cpu:0 read alike).</summary>
    private static string Describe(TorchSharp.torch.Device device) => $"{device.type.ToString().ToLowerInvariant()}:{Math.Max(device.index, 0)}";
}
