//! String templates: `"${interpolation}"`, heredocs, and the `%{if}` / `%{for}` directives,
//! held to the string limit as they grow.

use hcl_edit::expr::Expression;
use hcl_edit::template::{Directive, Element, Template};

use super::{EvalError, Evaluator};
use crate::value::Value;

impl Evaluator<'_> {
    pub(super) fn eval_template(
        &mut self,
        expr: &Expression,
        template: &Template,
    ) -> Result<Value, EvalError> {
        let mut out = String::new();
        let unknown = self.render_template(expr, template, &mut out)?;
        Ok(if unknown {
            Value::Unknown
        } else {
            Value::String(out.into())
        })
    }

    /// Appends `template` to `out`; true when some part of it is unknown.
    fn render_template(
        &mut self,
        expr: &Expression,
        template: &Template,
        out: &mut String,
    ) -> Result<bool, EvalError> {
        let mut unknown = false;
        for element in template.iter() {
            match element {
                Element::Literal(text) => out.push_str(text.value()),
                Element::Interpolation(interpolation) => match self.part(&interpolation.expr)? {
                    Value::Unknown => unknown = true,
                    value => match value.to_string_value() {
                        Some(text) => out.push_str(&text),
                        None if value.contains_unknown() => unknown = true,
                        None => {
                            return Err(EvalError::at(
                                &interpolation.expr,
                                format!("cannot put a {} into a string", value.type_name()),
                            ))
                        }
                    },
                },
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(if_directive) => {
                        let condition = self.eval(&if_directive.if_expr.cond_expr)?;
                        let chosen = match condition.to_bool() {
                            Some(true) => Some(&if_directive.if_expr.template),
                            Some(false) => if_directive.else_expr.as_ref().map(|e| &e.template),
                            None => {
                                unknown = true;
                                None
                            }
                        };
                        if let Some(chosen) = chosen {
                            unknown |= self.render_template(expr, chosen, out)?;
                        }
                    }
                    Directive::For(for_directive) => {
                        let intro = &for_directive.for_expr;
                        let collection = self.eval(&intro.collection_expr)?;
                        let Some(pairs) = self.pairs(expr, &collection)? else {
                            unknown = true;
                            continue;
                        };
                        for (key, item) in pairs {
                            let mut bound = 1;
                            self.bind(intro.value_var.as_str(), item);
                            if let Some(key_var) = &intro.key_var {
                                self.bind(key_var.as_str(), key);
                                bound += 1;
                            }
                            let rendered = self.render_template(expr, &intro.template, out);
                            self.unbind(bound);
                            unknown |= rendered?;
                            self.string_sized(expr, out.len())?;
                        }
                    }
                },
            }
            self.string_sized(expr, out.len())?;
        }
        Ok(unknown)
    }
}
