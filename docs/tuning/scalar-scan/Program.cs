// Prints, one documentation ID per line, every public TorchSharp member whose IL converts a number to a Scalar
// (Scalar's implicit conversions or ToScalar), directly or through the TorchSharp methods it calls.
using System.Reflection;
using System.Reflection.Emit;

var assembly = typeof(TorchSharp.torch).Assembly;
var targets = new HashSet<MethodBase>(
    typeof(TorchSharp.Scalar).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == "op_Implicit")
        .Concat(typeof(TorchSharp.ScalarExtensionMethods).GetMethods().Where(m => m.Name == "ToScalar")));
var seeds = new HashSet<MethodBase>(targets);
var opCodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);
var methods = assembly.GetTypes()
    .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly).Cast<MethodBase>())
    .ToArray();

bool changed = true;
while (changed)
{
    changed = false;
    foreach (var method in methods)
    {
        if (!targets.Contains(method) && Calls(method, targets))
        {
            targets.Add(method);
            changed = true;
        }
    }
}
foreach (var id in targets.Where(m => !seeds.Contains(m) && m.IsPublic && (m.DeclaringType!.IsPublic || m.DeclaringType.IsNestedPublic))
             .Where(m => m.DeclaringType != typeof(TorchSharp.Scalar)).Select(Id).Distinct().Order())
    Console.WriteLine(id);

bool Calls(MethodBase method, HashSet<MethodBase> callees)
{
    byte[]? il;
    try { il = method.GetMethodBody()?.GetILAsByteArray(); }
    catch { return false; }
    if (il is null) return false;
    for (int i = 0; i < il.Length;)
    {
        short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
        if (!opCodes.TryGetValue(value, out var op)) return false;
        i += op.Size;
        int operand = op.OperandType switch
        {
            OperandType.InlineNone => 0,
            OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
            OperandType.InlineVar => 2,
            OperandType.InlineI8 or OperandType.InlineR => 8,
            OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
            _ => 4,
        };
        if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj)
        {
            try
            {
                var callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i),
                    method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericArguments() : null,
                    method.IsGenericMethod ? method.GetGenericArguments() : null);
                if (callee is not null && callees.Contains(callee)) return true;
            }
            catch (ArgumentException) { }
        }
        i += operand;
    }
    return false;
}

static string Id(MethodBase m)
{
    string Type(Type t) => (t.IsGenericType
        ? t.GetGenericTypeDefinition().FullName!.Split('`')[0] + "{" + string.Join(",", t.GetGenericArguments().Select(Type)) + "}"
        : t.FullName ?? t.Name).Replace('+', '.').Replace("&", "@");
    var parameters = m.GetParameters();
    string name = m is ConstructorInfo ? "#ctor" : m.Name;
    return $"M:{Type(m.DeclaringType!)}.{name}" + (parameters.Length == 0 ? "" : $"({string.Join(",", parameters.Select(p => Type(p.ParameterType)))})");
}
