// Recommended actions of a case — CONTRACTS §1 `actions`, remedies from DOMAIN §3 (seed 000 p.12–13).
// Order (stable, documented): the contact action first — it is always present and is how an exchange is
// requested — then the fault's own action. Nothing else is added, so the list is exactly what the contract names.
import type { Condition, ContactAction, Segment } from '@camfleet/shared';
import type { Action } from './types.ts';

/** Fault → the remedy to try; stream-down/frozen reboot only on a reachable device (see `actionsFor`). */
const FAULT_ACTION: Partial<Record<Condition, Action>> = {
  blur: 'clean-lens', // dirt on lens or cover: the lens focuses on the dirt
  'night-blur': 'clean-cover', // dust on the cover scatters the IR light
  fog: 'wait-condensation', // clears in 1–3 days powered on, exposed to outside air
};

export interface ActionContext {
  segment: Segment;
  fault: Condition;
  contactAction: ContactAction;
  /** The device and every device on its path answer. */
  reachable: boolean;
  /** The parent (if any) is not observed unreachable. */
  parentReachable: boolean;
}

export function actionsFor(ctx: ActionContext): Action[] {
  const actions: Action[] = [ctx.contactAction];
  const remedy = FAULT_ACTION[ctx.fault];
  if (remedy) actions.push(remedy);
  // "temporary malfunction after long operation → reboot"; the provider's cloud is not the customer's to reboot.
  if ((ctx.fault === 'stream-down' || ctx.fault === 'frozen') && ctx.reachable && ctx.segment !== 'cloud') {
    actions.push('reboot');
  }
  // A camera dead while its way in answers is a body fault: exchange, never repair (DOMAIN §2).
  if (ctx.fault === 'unreachable' && ctx.segment === 'camera' && ctx.parentReachable) actions.push('request-exchange');
  return actions;
}
