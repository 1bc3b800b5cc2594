//! A typed function (`custom`, `problem::expression`) written as a torch expression in `x` and
//! `y`, node for node, so that torch's autograd differentiates the same operations the
//! playground's dual numbers do.
//!
//! A subtree that depends on neither `x` nor `y` is plain Python arithmetic (`math.sin`), since
//! torch's functions take tensors. `a^c` with a constant exponent is `a ** c`, whose derivative
//! torch takes by the power rule as the playground does (so `x^2` is defined for negative x);
//! `min` and `max` take the first argument at a tie, with its derivative, as the playground does
//! (`torch.where`, not `torch.minimum`, which splits the gradient at a tie).

use super::pytorch::num;
use crate::problem::expression::{Function, Node, Operation};
use crate::problem::Expression;

/// Python code for node `i` and whether it depends on x or y.
fn code(nodes: &[Node], i: usize) -> (String, bool) {
    match nodes.get(i) {
        Some(&Node::Number(c)) if c < 0.0 => (format!("({})", num(c)), false),
        Some(&Node::Number(c)) => (num(c), false),
        Some(Node::X) => ("x".into(), true),
        Some(Node::Y) => ("y".into(), true),
        Some(&Node::Unary(function, a)) => {
            let (inner, variable) = code(nodes, a);
            let lib = if variable { "torch" } else { "math" };
            let text = match function {
                Function::Neg => format!("(-{inner})"),
                Function::Sin => format!("{lib}.sin({inner})"),
                Function::Cos => format!("{lib}.cos({inner})"),
                Function::Tan => format!("{lib}.tan({inner})"),
                Function::Exp => format!("{lib}.exp({inner})"),
                Function::Log => format!("{lib}.log({inner})"),
                Function::Sqrt => format!("{lib}.sqrt({inner})"),
                Function::Abs if variable => format!("torch.abs({inner})"),
                Function::Abs => format!("abs({inner})"),
                Function::Tanh => format!("{lib}.tanh({inner})"),
            };
            (text, variable)
        }
        Some(&Node::Binary(operation, a, b)) => {
            let ((left, left_variable), (right, right_variable)) = (code(nodes, a), code(nodes, b));
            let variable = left_variable || right_variable;
            let text = match operation {
                Operation::Add => format!("({left} + {right})"),
                Operation::Sub => format!("({left} - {right})"),
                Operation::Mul => format!("({left} * {right})"),
                Operation::Div => format!("({left} / {right})"),
                Operation::Pow if right_variable => format!("torch.pow({left}, {right})"),
                Operation::Pow if left_variable => format!("({left} ** {right})"),
                Operation::Pow => format!("math.pow({left}, {right})"),
                Operation::Min if variable => format!("torch.where({right} < {left}, {right}, {left})"),
                Operation::Max if variable => format!("torch.where({right} > {left}, {right}, {left})"),
                Operation::Min => format!("min({left}, {right})"),
                Operation::Max => format!("max({left}, {right})"),
            };
            (text, variable)
        }
        None => ("float('nan')".into(), false),
    }
}

/// The function as a torch expression in `x` and `y` (a constant keeps a tensor's form through
/// `+ 0.0 * x`, so that autograd has something to differentiate).
pub fn torch_expression(expression: &Expression) -> String {
    let (nodes, root) = expression.tree();
    let (text, variable) = code(nodes, root);
    if variable {
        text
    } else {
        format!("{text} + 0.0 * x")
    }
}
