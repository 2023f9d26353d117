using System.Reflection;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using BalancedMultimodal.Graph.Encoding;
using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.PublicApi;

/// <summary>
/// Every public constructor, static method and instance method of the three packages that takes a non-nullable
/// reference argument must reject null with an <see cref="ArgumentException"/> (usually
/// <see cref="ArgumentNullException"/>) naming one of its own parameters, never a NullReferenceException, a native
/// error or silent success. Found by reflection, so a new public member is covered the day it is added.
/// </summary>
public sealed class PublicApiNullGuardTests
{
    private static readonly System.Reflection.Assembly[] Packages =
        [typeof(MultimodalDataset).Assembly, typeof(SimilarityNetworkFusion).Assembly, typeof(BalancedTrainer).Assembly];

    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>Valid instances of the public types that cannot be built from sample arguments alone.</summary>
    private static readonly Dictionary<Type, Func<object>> Instances = new()
    {
        [typeof(MultimodalDataset)] = () => SyntheticMultiomicsGenerator.Generate(seed: 0, sampleCount: 40),
        [typeof(Modality)] = () => SyntheticMultiomicsGenerator.Generate(seed: 0, sampleCount: 40).Modalities[0],
        [typeof(Standardizer)] = () => Standardizer.Fit(SyntheticMultiomicsGenerator.Generate(seed: 0, sampleCount: 40)),
        [typeof(QuantileNormalizer)] = () => QuantileNormalizer.Fit(SyntheticMultiomicsGenerator.Generate(seed: 0, sampleCount: 40)),
        [typeof(BootstrapConfidenceInterval)] = () => new BootstrapConfidenceInterval(new KsgEstimator(), new BootstrapOptions()),
        [typeof(PermutationTest)] = () => new PermutationTest(new KsgEstimator(), new PermutationTestOptions()),
        [typeof(ConcatenatedEncoderFactory)] = () => new ConcatenatedEncoderFactory([new MlpEncoderFactory(new MlpEncoderOptions())]),
        [typeof(ConcatenatedEncoder)] = () => new ConcatenatedEncoder([MlpEncoder(0)]),
        [typeof(RelationalGraph)] = SmallGraph,
        [typeof(RelationalGcn)] = () => new RelationalGcn(new RelationalGcnOptions { InputSize = 3 }),
        [typeof(RelationalGcnEncoder)] = () => new RelationalGcnEncoder(SmallGraph(), new RelationalGcnOptions { InputSize = 3 }),
        [typeof(RelationalGcnEncoderFactory)] = () => new RelationalGcnEncoderFactory(SmallGraph(), new RelationalGcnOptions()),
        [typeof(BalancedMultimodalNetwork)] = () => new BalancedMultimodalNetwork([MlpEncoder(0), MlpEncoder(1)], 2, 0.0, CPU, ScalarType.Float32),
        [typeof(BalancedTrainer)] = () => new BalancedTrainer(new MlpEncoderFactory(new MlpEncoderOptions()), new KsgEstimator(), new BalancedTrainingOptions()),
        [typeof(MultitaskLoss)] = () => new MultitaskLoss(new UniformWeighter(2)),
        [typeof(ModalityAssessor)] = () => new ModalityAssessor(new KsgEstimator(), new ModalityAssessmentOptions()),
        [typeof(DistillationPlan)] = () => new DistillationPlan([], 0.5, 0.05, "ksg", 0),
    };

    public static TheoryData<string> StaticEntryPoints() => Names(PublicTypes().SelectMany(StaticMembers));

    public static TheoryData<string> InstanceEntryPoints() => Names(PublicTypes().SelectMany(InstanceMethods));

    [Theory]
    [MemberData(nameof(StaticEntryPoints))]
    public void A_constructor_or_static_method_rejects_a_null_argument_by_name(string entryPoint)
    {
        var member = PublicTypes().SelectMany(StaticMembers).Single(m => Name(m) == entryPoint);
        var arguments = member.GetParameters().Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();

        ShouldRejectNull(member, () => { if (member is ConstructorInfo c) c.Invoke(arguments); else member.Invoke(null, arguments); });
    }

    [Theory]
    [MemberData(nameof(InstanceEntryPoints))]
    public void An_instance_method_rejects_a_null_argument_by_name(string entryPoint)
    {
        var method = PublicTypes().SelectMany(InstanceMethods).Single(m => Name(m) == entryPoint);
        var instance = Create(method.ReflectedType!) ?? throw new InvalidOperationException($"No instance of {method.ReflectedType!.Name}.");
        try
        {
            var arguments = method.GetParameters().Select(p => p.ParameterType.IsValueType ? Sample(p.ParameterType) : null).ToArray();
            ShouldRejectNull(method, () => method.Invoke(instance, arguments));
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void The_probe_reaches_the_components_a_caller_wires_into_a_training_loop()
    {
        var probed = PublicTypes().SelectMany(StaticMembers).Concat(PublicTypes().SelectMany(InstanceMethods)).Select(m => m.ReflectedType!).ToHashSet();

        probed.Should().Contain([typeof(SimilarityNetworkFusion), typeof(RelationalGcn), typeof(KsgEstimator), typeof(DistillationLoss),
            typeof(PerformanceGatedWeighter), typeof(BalancedTrainer), typeof(MultimodalDataset), typeof(RelationalGraph), typeof(GraphRelation)]);
        PublicTypes().SelectMany(StaticMembers).Concat(PublicTypes().SelectMany(InstanceMethods)).Should().HaveCountGreaterThan(150);
    }

    private static void ShouldRejectNull(MethodBase member, Action call)
    {
        var names = member.GetParameters().Select(p => p.Name).ToArray();
        var thrown = call.Should().Throw<TargetInvocationException>().Which.InnerException;
        thrown.Should().BeAssignableTo<ArgumentException>($"{Name(member)} must reject a null argument before doing any work");
        names.Should().Contain(((ArgumentException)thrown!).ParamName, "the exception must name the offending parameter");
    }

    internal static IEnumerable<Type> PublicTypes() =>
        Packages.SelectMany(a => a.GetExportedTypes()).Where(t => !t.IsGenericTypeDefinition && !typeof(Delegate).IsAssignableFrom(t));

    private static bool TakesNonNullableReference(MethodBase member) =>
        member.GetParameters().Any(p => !p.ParameterType.IsValueType && !p.ParameterType.IsByRef && Nullability.Create(p).WriteState == NullabilityState.NotNull);

    private static IEnumerable<MethodBase> StaticMembers(Type type) =>
        (type.IsAbstract ? [] : type.GetConstructors().Cast<MethodBase>())
            .Concat(type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly).Where(m => !m.IsSpecialName && !m.IsGenericMethodDefinition))
            .Where(TakesNonNullableReference);

    private static IEnumerable<MethodBase> InstanceMethods(Type type) =>
        type.IsAbstract || type.IsValueType || !(Instances.ContainsKey(type) || CanCreateFromSamples(type))
            ? []
            : type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => !m.IsSpecialName && !m.IsGenericMethodDefinition && m.Name != "Deconstruct" && m.Name != "Equals"
                            && m.DeclaringType!.Namespace?.StartsWith("BalancedMultimodal", StringComparison.Ordinal) == true)
                .Where(TakesNonNullableReference);

    internal static string Name(MethodBase member) =>
        $"{member.ReflectedType!.FullName}.{member.Name}({string.Join(", ", member.GetParameters().Select(p => TypeName(p.ParameterType)))})";

    private static string TypeName(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>" : type.Name;

    private static TheoryData<string> Names(IEnumerable<MethodBase> members)
    {
        var data = new TheoryData<string>();
        foreach (var name in members.Select(Name).Distinct().Order(StringComparer.Ordinal)) data.Add(name);
        return data;
    }

    internal static object? Sample(Type type) =>
        type == typeof(int) ? 2
        : type == typeof(long) ? 2L
        : type == typeof(double) ? 0.5
        : type == typeof(float) ? 0.5f
        : type == typeof(string) ? "m"
        : type == typeof(Device) ? CPU
        : type.IsValueType ? Activator.CreateInstance(type)
        : type.Name.EndsWith("Options", StringComparison.Ordinal) && type.GetConstructor(Type.EmptyTypes) is { } options ? options.Invoke(null)
        : null;

    internal static object? Create(Type type) =>
        Instances.TryGetValue(type, out var factory) ? factory() : CreateFromSamples(type);

    /// <summary>An instance from the smallest constructor whose arguments all have sample values, or null.</summary>
    private static object? CreateFromSamples(Type type)
    {
        foreach (var constructor in type.GetConstructors().OrderBy(c => c.GetParameters().Length))
        {
            var parameters = constructor.GetParameters();
            var arguments = parameters.Select(p => p.HasDefaultValue ? p.DefaultValue : Sample(p.ParameterType)).ToArray();
            if (parameters.Zip(arguments).Any(pa => pa.Second is null && !pa.First.HasDefaultValue)) continue;
            try { return constructor.Invoke(arguments); }
            catch (TargetInvocationException) { }
        }
        return null;
    }

    private static bool CanCreateFromSamples(Type type)
    {
        var instance = CreateFromSamples(type);
        (instance as IDisposable)?.Dispose();
        return instance is not null;
    }

    private static RelationalGraph SmallGraph() =>
        new(4, [new GraphRelation("fused", tensor(new long[,] { { 0, 1, 2, 3 }, { 1, 0, 3, 2 } }), null)]);

    private static ModalityEncoder MlpEncoder(int modality) =>
        new MlpEncoderFactory(new MlpEncoderOptions()).Create(new ModalityEncoderRequest(modality, $"m{modality}", 3, CPU, ScalarType.Float32));
}
