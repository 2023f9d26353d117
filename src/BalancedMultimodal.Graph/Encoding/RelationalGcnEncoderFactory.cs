using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;

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
    /// <c>RelationCount</c> and <c>ClassCount</c> are set per modality.</param>
    public RelationalGcnEncoderFactory(RelationalGraph graph, RelationalGcnOptions template)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(template);
        if (template.ClassCount is not null)
            throw new ArgumentException("An encoder has no classifier head: leave ClassCount null (the balanced network adds its own heads).", nameof(template));
        _graph = graph;
        _template = template;
        var check = Copy(template, 1);
        var result = new RelationalGcnOptionsValidator().Validate(null, check);
        if (result.Failed) throw new ArgumentException("Invalid encoder options: " + result.FailureMessage, nameof(template));
    }

    /// <inheritdoc />
    public ModalityEncoder Create(ModalityEncoderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Device.type != _graph.Device.type || request.Device.index != _graph.Device.index)
            throw new ArgumentException($"Modality '{request.ModalityName}' is trained on {request.Device} but the graph lives on {_graph.Device}; move the graph with RelationalGraph.To first.", nameof(request));
        return new RelationalGcnEncoder(_graph, Copy(_template, checked((int)request.InputDim)), request.Device, request.DType);
    }

    private RelationalGcnOptions Copy(RelationalGcnOptions t, int inputSize) => new()
    {
        InputSize = inputSize,
        HiddenSizes = t.HiddenSizes.ToArray(),
        RelationCount = _graph.RelationCount,
        NumBases = t.NumBases,
        NumBlocks = t.NumBlocks,
        Bias = t.Bias,
        Activation = t.Activation,
        NegativeSlope = t.NegativeSlope,
        Dropout = t.Dropout,
        ClassCount = null,
        Head = t.Head,
    };
}
