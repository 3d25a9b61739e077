namespace AE.Dsl.IR
{
    /// <summary>The binary operators of the language (their meaning: <see cref="Scalar.Binary"/>).</summary>
    public enum BinaryOp { Add, Sub, Mul, Div, Mod, Pow, Less, LessEq, Greater, GreaterEq, Eq, NotEq, And, Or }

    /// <summary>How the language spells its operators.</summary>
    public static class Operators
    {
        public static string Text(BinaryOp op) => op switch
        {
            BinaryOp.Add => "+", BinaryOp.Sub => "-", BinaryOp.Mul => "*", BinaryOp.Div => "/", BinaryOp.Mod => "%",
            BinaryOp.Pow => "^", BinaryOp.Less => "<", BinaryOp.LessEq => "<=", BinaryOp.Greater => ">",
            BinaryOp.GreaterEq => ">=", BinaryOp.Eq => "==", BinaryOp.NotEq => "!=", BinaryOp.And => "&&", _ => "||",
        };
    }
}
