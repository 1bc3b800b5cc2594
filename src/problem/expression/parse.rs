//! The parser of the expression language: text such as `sin(x)*cos(y) + 0.1*(x^2 + y^2)` into a
//! tree of nodes, by recursive descent with the usual precedence.
//!
//! ```text
//! sum     = product *(("+" | "-") product)          left to right
//! product = unary *(("*" | "/") unary)              left to right
//! unary   = ("-" | "+") unary | power
//! power   = primary [("^" | "**") unary]            right to left: 2^3^2 = 2^9, -x^2 = -(x^2)
//! primary = number | "x" | "y" | "pi" | "e" | "(" sum ")"
//!         | function "(" sum ")" | ("min" | "max") "(" sum "," sum ")"
//! ```
//!
//! Functions: sin, cos, tan, exp, log (natural), sqrt, abs, tanh, min, max. Numbers are decimal
//! with an optional exponent (`1.5e-3`). Whitespace is ignored. The text is limited to
//! `limits::MAX_EXPRESSION_CHARS` characters and its tree to `limits::MAX_EXPRESSION_DEPTH`
//! levels, so parsing and every later walk over the tree are bounded whatever the input. Every
//! error names the character (counted from 1) where it was found.

use crate::config::limits::{MAX_EXPRESSION_CHARS, MAX_EXPRESSION_DEPTH};

/// A function of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Neg,
    Sin,
    Cos,
    Tan,
    Exp,
    Log,
    Sqrt,
    Abs,
    Tanh,
}

/// An operation on two arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Min,
    Max,
}

/// One node of the expression tree; children are indices of earlier nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Node {
    Number(f64),
    X,
    Y,
    Unary(Function, usize),
    Binary(Operation, usize, usize),
}

/// The functions of one argument by name.
const UNARY: [(&str, Function); 8] = [
    ("sin", Function::Sin),
    ("cos", Function::Cos),
    ("tan", Function::Tan),
    ("exp", Function::Exp),
    ("log", Function::Log),
    ("sqrt", Function::Sqrt),
    ("abs", Function::Abs),
    ("tanh", Function::Tanh),
];

/// The functions of two arguments by name.
const BINARY: [(&str, Operation); 2] = [("min", Operation::Min), ("max", Operation::Max)];

/// The named constants.
const CONSTANTS: [(&str, f64); 2] = [("pi", std::f64::consts::PI), ("e", std::f64::consts::E)];

/// What the parser says about a bad text: the character where it went wrong and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The character, counted from 1; one past the end for "unexpected end".
    pub position: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "at character {}: {}", self.position, self.message)
    }
}

/// A parsed expression: its nodes and the root's index.
pub struct Tree {
    pub nodes: Vec<Node>,
    pub root: usize,
}

/// Parses `text` into a tree.
pub fn parse(text: &str) -> Result<Tree, ParseError> {
    let length = text.chars().count();
    if length > MAX_EXPRESSION_CHARS {
        return Err(ParseError {
            position: MAX_EXPRESSION_CHARS + 1,
            message: format!("the function may have at most {MAX_EXPRESSION_CHARS} characters, got {length}"),
        });
    }
    let mut parser = Parser { chars: text.chars().collect(), pos: 0, nodes: Vec::new(), heights: Vec::new() };
    let root = parser.sum(0)?;
    parser.skip_space();
    if let Some(c) = parser.peek() {
        return Err(parser.error(format!("expected an operator (+ - * / ^) or the end, found '{c}'")));
    }
    Ok(Tree { nodes: parser.nodes, root })
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    nodes: Vec<Node>,
    /// The height of each node's subtree, to bound the depth of every walk over the tree.
    heights: Vec<usize>,
}

impl Parser {
    fn error(&self, message: String) -> ParseError {
        ParseError { position: self.pos + 1, message }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Skips spaces and consumes `c` if it comes next.
    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn found(&self) -> String {
        self.peek().map_or("the end".into(), |c| format!("'{c}'"))
    }

    /// Adds a node whose children are `children`, failing when the tree gets too deep.
    fn push(&mut self, node: Node, children: &[usize], at: usize) -> Result<usize, ParseError> {
        let height = 1 + children.iter().map(|&c| self.heights.get(c).copied().unwrap_or(0)).max().unwrap_or(0);
        if height > MAX_EXPRESSION_DEPTH {
            return Err(ParseError {
                position: at + 1,
                message: format!("the function is nested more than {MAX_EXPRESSION_DEPTH} operations deep"),
            });
        }
        self.nodes.push(node);
        self.heights.push(height);
        Ok(self.nodes.len() - 1)
    }

    /// Guards the recursion of the parser itself.
    fn enter(&self, depth: usize) -> Result<usize, ParseError> {
        if depth >= MAX_EXPRESSION_DEPTH {
            return Err(self.error(format!("the function is nested more than {MAX_EXPRESSION_DEPTH} levels deep")));
        }
        Ok(depth + 1)
    }

    fn sum(&mut self, depth: usize) -> Result<usize, ParseError> {
        let depth = self.enter(depth)?;
        let mut left = self.product(depth)?;
        loop {
            self.skip_space();
            let at = self.pos;
            let op = if self.eat('+') {
                Operation::Add
            } else if self.eat('-') {
                Operation::Sub
            } else {
                return Ok(left);
            };
            let right = self.product(depth)?;
            left = self.push(Node::Binary(op, left, right), &[left, right], at)?;
        }
    }

    fn product(&mut self, depth: usize) -> Result<usize, ParseError> {
        let mut left = self.unary(depth)?;
        loop {
            self.skip_space();
            let at = self.pos;
            // `**` is a power, handled in `power`; here a lone `*` multiplies.
            let op = if self.peek() == Some('*') && self.chars.get(self.pos + 1) != Some(&'*') {
                self.pos += 1;
                Operation::Mul
            } else if self.eat('/') {
                Operation::Div
            } else {
                return Ok(left);
            };
            let right = self.unary(depth)?;
            left = self.push(Node::Binary(op, left, right), &[left, right], at)?;
        }
    }

    fn unary(&mut self, depth: usize) -> Result<usize, ParseError> {
        let depth = self.enter(depth)?;
        self.skip_space();
        let at = self.pos;
        if self.eat('-') {
            let inner = self.unary(depth)?;
            return self.push(Node::Unary(Function::Neg, inner), &[inner], at);
        }
        if self.eat('+') {
            return self.unary(depth);
        }
        self.power(depth)
    }

    fn power(&mut self, depth: usize) -> Result<usize, ParseError> {
        let base = self.primary(depth)?;
        self.skip_space();
        let at = self.pos;
        let is_power = if self.eat('^') {
            true
        } else if self.peek() == Some('*') && self.chars.get(self.pos + 1) == Some(&'*') {
            self.pos += 2;
            true
        } else {
            false
        };
        if !is_power {
            return Ok(base);
        }
        let exponent = self.unary(depth)?;
        self.push(Node::Binary(Operation::Pow, base, exponent), &[base, exponent], at)
    }

    fn primary(&mut self, depth: usize) -> Result<usize, ParseError> {
        self.skip_space();
        let at = self.pos;
        match self.peek() {
            Some(c) if c.is_ascii_digit() || c == '.' => self.number(),
            Some(c) if c.is_ascii_alphabetic() || c == '_' => self.name(depth),
            Some('(') => {
                self.pos += 1;
                let inner = self.sum(depth)?;
                self.close(at)?;
                Ok(inner)
            }
            _ => Err(self.error(format!(
                "expected a number, x, y, a constant (pi, e), a function or '(', found {}",
                self.found()
            ))),
        }
    }

    /// Consumes the ')' that closes the '(' at `open`.
    fn close(&mut self, open: usize) -> Result<(), ParseError> {
        if self.eat(')') {
            Ok(())
        } else {
            Err(self.error(format!("expected ')' to close the '(' at character {}, found {}", open + 1, self.found())))
        }
    }

    fn number(&mut self) -> Result<usize, ParseError> {
        let start = self.pos;
        let digits = |p: &mut Parser| {
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
        };
        digits(self);
        if self.peek() == Some('.') {
            self.pos += 1;
            digits(self);
        }
        // An exponent only when digits follow: `2e` is the number 2 followed by the name e, which
        // is then reported as a missing operator rather than as a bad number.
        if matches!(self.peek(), Some('e' | 'E')) {
            let mut after = self.pos + 1;
            if matches!(self.chars.get(after), Some('+' | '-')) {
                after += 1;
            }
            if self.chars.get(after).is_some_and(|c| c.is_ascii_digit()) {
                self.pos = after;
                digits(self);
            }
        }
        let text: String = self.chars.get(start..self.pos).unwrap_or(&[]).iter().collect();
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => self.push(Node::Number(value), &[], start),
            _ => Err(ParseError { position: start + 1, message: format!("'{text}' is not a finite number") }),
        }
    }

    fn name(&mut self, depth: usize) -> Result<usize, ParseError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            self.pos += 1;
        }
        let name: String = self.chars.get(start..self.pos).unwrap_or(&[]).iter().collect();
        match name.as_str() {
            "x" => return self.push(Node::X, &[], start),
            "y" => return self.push(Node::Y, &[], start),
            _ => {}
        }
        if let Some(&(_, value)) = CONSTANTS.iter().find(|(n, _)| *n == name) {
            return self.push(Node::Number(value), &[], start);
        }
        let unary = UNARY.iter().find(|(n, _)| *n == name).map(|&(_, f)| f);
        let binary = BINARY.iter().find(|(n, _)| *n == name).map(|&(_, o)| o);
        if unary.is_none() && binary.is_none() {
            let functions: Vec<&str> = UNARY.iter().map(|u| u.0).chain(BINARY.iter().map(|b| b.0)).collect();
            return Err(ParseError {
                position: start + 1,
                message: format!("unknown name '{name}'; use x, y, pi, e or a function: {}", functions.join(", ")),
            });
        }
        let open = self.pos;
        if !self.eat('(') {
            return Err(self.error(format!("expected '(' after the function {name}, found {}", self.found())));
        }
        let first = self.sum(depth)?;
        let node = match (unary, binary) {
            (Some(f), _) => self.push(Node::Unary(f, first), &[first], start)?,
            (None, Some(op)) => {
                if !self.eat(',') {
                    return Err(self.error(format!("{name} takes two arguments: expected ',', found {}", self.found())));
                }
                let second = self.sum(depth)?;
                self.push(Node::Binary(op, first, second), &[first, second], start)?
            }
            (None, None) => return Err(self.error(format!("unknown function {name}"))),
        };
        self.close(open)?;
        Ok(node)
    }
}
