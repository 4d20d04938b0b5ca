//! The region rule (see [Regions](crate::Actor#regions)): which of an actor's roles count on
//! an instance, given the instance's region and the actor's.
//!
//! - an instance without a region accepts any actor;
//! - an actor of the instance's region acts through all its roles;
//! - any other actor (of another region, or of none) acts only through the roles the
//!   definition declares region-wide.
//!
//! An actor holding a role the action allows, but only among the roles that do not count
//! here, is refused with [`Rejection::OutOfRegion`] naming both regions.

use crate::access::Actor;
use crate::definition::Definition;
use crate::ids::{InstanceId, Name, Region, RoleMask};
use crate::rejection::Rejection;

/// The actor's roles on an instance of `region`: those that count, and those that would
/// count in the instance's own region but not here.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Scope {
    /// The roles that count.
    pub(crate) counted: RoleMask,
    /// The roles held that do not count here (empty inside the region).
    pub(crate) outside: RoleMask,
}

/// Whether `actor` is outside `region`: the instance has a region and the actor another
/// one, or none.
pub(crate) fn is_outside(actor: &Actor, region: Option<&Region>) -> bool {
    region.is_some_and(|r| actor.region.as_ref() != Some(r))
}

/// Split the actor's roles `mask` in `def` for an instance of `region`.
pub(crate) fn scope(
    def: &Definition,
    actor: &Actor,
    region: Option<&Region>,
    mask: RoleMask,
) -> Scope {
    if is_outside(actor, region) {
        Scope {
            counted: RoleMask(mask.0 & def.region_wide.0),
            outside: RoleMask(mask.0 & !def.region_wide.0),
        }
    } else {
        Scope {
            counted: mask,
            outside: RoleMask::default(),
        }
    }
}

/// The refusal of `actor` doing `action` on `instance` of `region` (which must be `Some`
/// when the actor is outside it).
pub(crate) fn out_of_region(
    action: Name,
    instance: &InstanceId,
    actor: &Actor,
    region: Option<&Region>,
) -> Rejection {
    Rejection::OutOfRegion {
        action,
        instance: instance.clone(),
        actor: actor.id.clone(),
        actor_region: actor.region.clone(),
        instance_region: region.cloned().unwrap_or_else(|| Region::from("")),
    }
}

#[cfg(test)]
mod tests {
    use super::{is_outside, scope};
    use crate::{Actor, Builder, Region, Registry};

    #[test]
    fn outside_a_region_only_region_wide_roles_count() {
        let def = Builder::new("r", 1)
            .roles(["clerk", "auditor"])
            .start_roles(["clerk"])
            .region_wide_roles(["auditor"])
            .initial("open")
            .terminal("done")
            .transition("open", "finish", "done", |t| t.roles(["clerk"]))
            .build(&Registry::new())
            .unwrap();
        let north = Region::from("north");
        let both = Actor::new("a", ["clerk", "auditor"]);
        let mask = def.mask_of(&both.roles);
        // no region on the instance: everyone is inside
        assert!(!is_outside(&both, None));
        assert_eq!(scope(&def, &both, None, mask).counted, mask);
        // an actor without a region, or of another one, is outside
        assert!(is_outside(&both, Some(&north)));
        assert!(is_outside(&both.clone().in_region("south"), Some(&north)));
        let s = scope(&def, &both, Some(&north), mask);
        assert_eq!(def.role_names(s.counted), vec![crate::Name::new("auditor")]);
        assert_eq!(def.role_names(s.outside), vec![crate::Name::new("clerk")]);
        // inside its region every role counts and none is left outside
        let inside = both.in_region("north");
        let s = scope(&def, &inside, Some(&north), mask);
        assert_eq!(s.counted, mask);
        assert_eq!(s.outside.0, 0);
    }
}
