using BalancedMultimodal.Graph.Graphs;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Graph.Tests.Graphs;

/// <summary>A <see cref="GraphRelation"/> compares by name and tensor identity and prints its tensors' metadata: with the
/// compiler's record members, relations of equal-valued distinct tensors were equal with different hash codes, and
/// comparing or printing a relation of a disposed graph threw TorchSharp's "empty handle" error.</summary>
public sealed class GraphRelationIdentityTests
{
    private static GraphRelation Relation(string name) =>
        new(name, tensor(new long[] { 0, 1, 1, 2 }).reshape(2, 2), tensor(new[] { 1.0, 0.5 }));

    [Fact]
    public void Relations_are_equal_when_they_hold_the_same_name_and_tensors_and_only_then()
    {
        using var scope = NewDisposeScope();
        var a = Relation("fused");
        var b = Relation("fused");

        a.Equals(b).Should().BeFalse("equal values in distinct tensors are distinct relations");
        new HashSet<GraphRelation> { a }.Contains(b).Should().BeFalse();
        (a with { }).Should().Be(a);
        (a with { }).GetHashCode().Should().Be(a.GetHashCode());
        (a with { Name = "knn" }).Should().NotBe(a);
        (a with { EdgeWeight = null }).Should().NotBe(a);
    }

    [Fact]
    public void A_relation_of_a_disposed_graph_compares_and_prints()
    {
        var a = Relation("fused");
        var b = Relation("fused");
        a.ToString().Should().Be("GraphRelation { Name = fused, EdgeIndex = tensor (2, 2) Int64 on cpu, EdgeWeight = tensor (2) Float64 on cpu }");
        new RelationalGraph(3, [a]).Dispose();
        new RelationalGraph(3, [b]).Dispose();

        (a == b).Should().BeFalse();
        a.Should().Be(a with { });
        a.ToString().Should().Be("GraphRelation { Name = fused, EdgeIndex = disposed tensor, EdgeWeight = disposed tensor }");
        (a with { EdgeWeight = null }).ToString().Should().EndWith("EdgeWeight = null }");
    }

    [Fact]
    public void Relations_with_the_same_name_and_weights_but_another_edge_index_differ()
    {
        using var scope = NewDisposeScope();
        var a = Relation("fused");

        var other = a with { EdgeIndex = a.EdgeIndex.clone() };

        other.Should().NotBe(a, "the edge index is another tensor, though of equal values");
        new HashSet<GraphRelation> { a }.Contains(other).Should().BeFalse();
    }
}
