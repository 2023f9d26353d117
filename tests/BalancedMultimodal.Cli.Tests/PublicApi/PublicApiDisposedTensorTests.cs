using System.Reflection;
using BalancedMultimodal.Core;
using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Core.Optimization;
using BalancedMultimodal.Distillation.Losses;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Distillation.Weighting;
using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Graphs;
using BalancedMultimodal.Graph.Layers;
using FluentAssertions;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.PublicApi;

/// <summary>
/// Every public constructor, static method and instance method of the three packages that takes a tensor (or a list of
/// tensors) must refuse a disposed one with an <see cref="ObjectDisposedException"/> naming that parameter (a list entry
/// as <c>name[i]</c>), before any work: never TorchSharp's "Tensor invalid -- empty handle"
/// <see cref="InvalidOperationException"/>, which names nothing. Each tensor parameter of each member is probed on its
/// own: the other tensors are live, the other arguments valid samples where the probe can build them and null otherwise,
/// which works because the tensor checks come first, in parameter order. Found by reflection (the members and instances
/// of <see cref="PublicApiNullGuardTests"/>), so a new public member is covered the day it is added.
/// </summary>
public sealed class PublicApiDisposedTensorTests
{
    /// <summary>Each (entry point, tensor parameter) pair.</summary>
    public static TheoryData<string, string> TensorParameters()
    {
        var data = new TheoryData<string, string>();
        foreach (var (member, parameter) in Cases().OrderBy(c => PublicApiNullGuardTests.Name(c.Member), StringComparer.Ordinal).ThenBy(c => c.Parameter.Position))
            data.Add(PublicApiNullGuardTests.Name(member), parameter.Name!);
        return data;
    }

    [Theory]
    [MemberData(nameof(TensorParameters))]
    public void A_disposed_tensor_argument_is_refused_by_name(string entryPoint, string parameterName)
    {
        var (member, parameter) = Cases().Single(c => PublicApiNullGuardTests.Name(c.Member) == entryPoint && c.Parameter.Name == parameterName);
        var instance = member.IsStatic || member is ConstructorInfo
            ? null
            : PublicApiNullGuardTests.Create(member.ReflectedType!) ?? throw new InvalidOperationException($"No instance of {member.ReflectedType!.Name}.");
        try
        {
            using var scope = NewDisposeScope();
            var arguments = member.GetParameters().Select(p => p.Position == parameter.Position ? WithDisposed(p.ParameterType) : Valid(p)).ToArray();
            string expected = IsTensor(parameter.ParameterType) ? parameter.Name! : $"{parameter.Name}[1]";

            var call = () => { if (member is ConstructorInfo c) c.Invoke(arguments); else member.Invoke(instance, arguments); };

            var thrown = call.Should().Throw<TargetInvocationException>().Which.InnerException;
            thrown.Should().BeOfType<ObjectDisposedException>($"{entryPoint} must refuse the disposed {parameterName} before any work, naming it; got {thrown}");
            var disposed = (ObjectDisposedException)thrown!;
            disposed.ObjectName.Should().Be(expected);
            disposed.Message.Should().Contain($"'{expected}'");
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void The_probe_reaches_the_tensor_entry_points_of_every_package()
    {
        var cases = Cases().ToList();
        var types = cases.Select(c => c.Member.ReflectedType!).ToHashSet();

        types.Should().Contain([typeof(KsgEstimator), typeof(ExplicitScalarAdam), typeof(ParameterGroup), typeof(TensorMatrices),
            typeof(AffinityBuilder), typeof(SimilarityNetworkFusion), typeof(GraphRelation), typeof(TopKGraphBuilder), typeof(RelationalGcn),
            typeof(DistillationLoss), typeof(MultitaskLoss), typeof(UniformWeighter), typeof(PredictionCombiner), typeof(HeadPoolingWeights),
            typeof(BalancedMultimodalNetwork), typeof(BalancedTrainingData), typeof(NetworkOutputs)]);
        cases.Should().Contain(c => c.Member.ReflectedType == typeof(GraphRelation) && c.Parameter.Name == "EdgeWeight");
        cases.Should().Contain(c => c.Member.ReflectedType == typeof(DistillationLoss) && c.Parameter.Name == "classWeights");
        cases.Select(c => c.Member).Distinct().Should().HaveCountGreaterThan(70);
        cases.Should().HaveCountGreaterThan(110);
    }

    /// <summary>Every public member taking a tensor or a list of tensors, with each such parameter.</summary>
    private static IEnumerable<(MethodBase Member, ParameterInfo Parameter)> Cases() =>
        // TensorArgument itself is the check: the name it reports is the one its caller passes.
        PublicApiNullGuardTests.PublicTypes().Where(t => t != typeof(TensorArgument)).SelectMany(Members)
            .SelectMany(m => m.GetParameters().Where(p => !p.ParameterType.IsByRef && (IsTensor(p.ParameterType) || TensorElement(p.ParameterType) is not null))
                .Select(p => (m, p)));

    private static IEnumerable<MethodBase> Members(Type type)
    {
        var constructors = type.IsAbstract ? [] : type.GetConstructors().Cast<MethodBase>();
        var statics = type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly);
        var instance = type.IsAbstract || type.IsValueType
            ? []
            : type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.DeclaringType!.Namespace?.StartsWith("BalancedMultimodal", StringComparison.Ordinal) == true);
        return constructors.Concat(statics.Concat(instance)
            .Where(m => !m.IsSpecialName && !m.IsGenericMethodDefinition && m.Name is not ("Deconstruct" or "Equals")));
    }

    private static bool IsTensor(Type type) => typeof(Tensor).IsAssignableFrom(type);

    /// <summary>The tensor type of an array or a generic sequence of tensors, or null.</summary>
    private static Type? TensorElement(Type type)
    {
        var element = type.IsArray ? type.GetElementType()
            : type.IsGenericType && type.GetGenericArguments() is [var argument]
              && typeof(IEnumerable<>).MakeGenericType(argument).IsAssignableFrom(type) ? argument
            : null;
        return element is not null && IsTensor(element) ? element : null;
    }

    /// <summary>A disposed tensor, or a sequence whose entry 1 is disposed (entry 0 live).</summary>
    private static object WithDisposed(Type type)
    {
        if (IsTensor(type))
        {
            var tensor = Live(type);
            tensor.Dispose();
            return tensor;
        }
        var element = TensorElement(type)!;
        var array = Array.CreateInstance(element, 2);
        array.SetValue(Live(element), 0);
        array.SetValue(WithDisposed(element), 1);
        return array;
    }

    private static Tensor Live(Type type) =>
        type.IsAssignableFrom(typeof(Tensor)) ? zeros(2, 2)
        : type == typeof(Parameter) ? new Parameter(zeros(2, 2))
        : throw new NotSupportedException($"No sample tensor of type {type.Name}.");

    /// <summary>A valid argument where one can be built without knowing the member (live tensors, samples), else null.</summary>
    private static object? Valid(ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (IsTensor(type)) return Live(type);
        if (TensorElement(type) is { } element)
        {
            var array = Array.CreateInstance(element, 1);
            array.SetValue(Live(element), 0);
            return array;
        }
        if (type == typeof(int)) return 0;   // a modality index, the only int read before a tensor
        if (type == typeof(IReadOnlyList<string>)) return new[] { "m" };
        if (type == typeof(IReadOnlyList<double>)) return new[] { 0.5 };
        if (type == typeof(NetworkOutputs)) return new NetworkOutputs([zeros(2, 2)], [zeros(2, 2)], zeros(2, 2));
        return PublicApiNullGuardTests.Sample(type);
    }
}
