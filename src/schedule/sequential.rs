//! SequentialLR: children that take over from each other at milestones.

use super::Schedule;

/// torch's SequentialLR: child 0 runs until milestones[0]; at milestone m_i, child i+1 restarts
/// from its closed form at 0 (torch calls `step(0)` on it) and runs on at t - m_i.
#[derive(Clone, Debug)]
pub(super) struct Sequential {
    children: Vec<Schedule>,
    /// Strictly increasing, one fewer than the children (checked by validation).
    milestones: Vec<u64>,
}

impl Sequential {
    pub(super) fn new(children: Vec<Schedule>, milestones: Vec<u64>) -> Self {
        Sequential { children, milestones }
    }

    /// The index of the child in charge of step t (torch's `bisect_right(milestones, t)`) and
    /// the step it starts from there.
    #[inline]
    fn active(&self, t: u64) -> (usize, u64) {
        let index = self.milestones.partition_point(|&m| m <= t);
        (index, t.saturating_sub(self.start_of(index)))
    }

    /// The first step of child `index`: 0, then the milestones.
    #[inline]
    fn start_of(&self, index: usize) -> u64 {
        match index.checked_sub(1) {
            Some(previous) => self.milestones.get(previous).copied().unwrap_or(0),
            None => 0,
        }
    }

    /// The lr during step t; NaN when an unvalidated config has too few children.
    #[inline]
    pub(super) fn lr(&self, t: u64) -> f64 {
        let (index, local) = self.active(t);
        self.children.get(index).map_or(f64::NAN, |child| child.lr(local))
    }

    /// The momentum during step t, following torch's optimizer state: the value the most recent
    /// momentum-cycling child wrote. That is the active child if it cycles; otherwise an earlier
    /// cycling child's value at its last step; otherwise the value written when the children
    /// were constructed (before SequentialLR), where the last cycling child in the list wins with
    /// its value at 0. None when no child cycles.
    pub(super) fn momentum(&self, t: u64) -> Option<f64> {
        let (index, local) = self.active(t);
        if let Some(momentum) = self.children.get(index).and_then(|child| child.momentum(local)) {
            return Some(momentum);
        }
        for earlier in (0..index).rev() {
            let Some(child) = self.children.get(earlier) else {
                continue;
            };
            let last_local = self.start_of(earlier + 1).saturating_sub(1).saturating_sub(self.start_of(earlier));
            if let Some(momentum) = child.momentum(last_local) {
                return Some(momentum);
            }
        }
        self.children.iter().rev().find_map(|child| child.momentum(0))
    }
}
