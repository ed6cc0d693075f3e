// The start-up check of the bot set: a configuration that could strand a customer
// (an intent nobody answers, a handoff to nowhere, a loop nobody can leave) never runs.
import { describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bots/bot.ts';
import { RoleContract, validateContracts, type RoleContractInput } from '../../src/bots/contract.ts';
import { createBotRegistry, DEFAULT_BOTS } from '../../src/bots/registry.ts';
import { ConfigError } from '../../src/shared/errors.ts';

const defaults = (): RoleContract[] => DEFAULT_BOTS.map((b) => b.contract);

/** The default set with one bot's contract changed (or added when the id is new). */
function withContract(id: string, change: (c: RoleContractInput) => RoleContractInput): RoleContract[] {
  const list = defaults();
  const index = list.findIndex((c) => c.id === id);
  const base: RoleContractInput = index >= 0 ? list[index]! : { id, titleKey: `bots.${id}`, scope: ['greeting'], authority: {}, pattern: 'implicit' };
  const changed = RoleContract.parse(change(structuredClone(base)));
  return index >= 0 ? list.map((c, i) => (i === index ? changed : c)) : [...list, changed];
}

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, but the set was accepted');
}

const asBots = (contracts: RoleContract[]): Bot[] => contracts.map((contract) => ({ contract, handle: async (input) => ({ replies: [], context: input.context }) }));

describe('validateContracts', () => {
  it('accepts the default bot set', () => {
    expect(() => validateContracts(defaults())).not.toThrow();
    const registry = createBotRegistry();
    expect(registry.contracts().map((c) => c.id).sort()).toEqual(['billing', 'orders', 'support', 'triage']);
    expect(registry.ownerOf('order.status')?.contract.id).toBe('orders');
    expect(registry.ownerOf('billing.double_charge')?.contract.id).toBe('billing');
    expect(registry.ownerOf('support.troubleshoot')?.contract.id).toBe('support');
  });

  it('refuses an intent that no bot owns, naming it', () => {
    const set = withContract('support', (c) => ({ ...c, scope: ['support.troubleshoot', 'support.not_fixed'] }));
    expect(configErrorOf(() => validateContracts(set)).message).toMatch(/no bot owns intent "support\.fixed"/);
  });

  it('refuses an intent owned by two bots, naming the intent and both bots', () => {
    const set = withContract('billing', (c) => ({ ...c, scope: [...(c.scope ?? []), 'order.status'] }));
    const message = configErrorOf(() => validateContracts(set)).message;
    expect(message).toContain('"order.status"');
    expect(message).toContain('"orders"');
    expect(message).toContain('"billing"');
  });

  it('refuses a handoff target that does not exist, naming the bot and the target', () => {
    const set = withContract('orders', (c) => ({ ...c, authority: { ...c.authority, handsTo: ['billing', 'shipping'] } }));
    const message = configErrorOf(() => validateContracts(set)).message;
    expect(message).toContain('"orders"');
    expect(message).toContain('"shipping"');
    expect(message).toMatch(/does not exist/);
  });

  it('refuses a bot that lists itself as a handoff target', () => {
    const set = withContract('orders', (c) => ({ ...c, authority: { ...c.authority, handsTo: ['orders'] } }));
    expect(configErrorOf(() => validateContracts(set)).message).toMatch(/"orders" lists itself/);
  });

  it('refuses a set without a triage bot', () => {
    const set = withContract('triage', (c) => ({ ...c, id: 'frontdesk' }));
    expect(configErrorOf(() => validateContracts(set)).message).toMatch(/no "triage" bot/);
  });

  it('refuses a bot id declared twice', () => {
    const set = [...defaults(), RoleContract.parse({ id: 'orders', titleKey: 'bots.orders', scope: ['thanks'], authority: {}, pattern: 'implicit' })];
    expect(configErrorOf(() => validateContracts(set)).message).toMatch(/"orders" is declared twice/);
  });

  it('refuses two bots handing to each other when neither may escalate nor leave the pair', () => {
    let set = withContract('orders', (c) => ({ ...c, authority: { ...c.authority, mayEscalate: false, handsTo: ['billing'] } }));
    set = set.map((c) => (c.id === 'billing' ? RoleContract.parse({ ...c, authority: { ...c.authority, mayEscalate: false, handsTo: ['orders'] } }) : c));
    const message = configErrorOf(() => validateContracts(set)).message;
    expect(message).toMatch(/cycle/);
    expect(message).toMatch(/no exit/);
    expect(message).toContain('orders');
    expect(message).toContain('billing');
  });

  it('accepts the same cycle when one bot in it can hand outside it', () => {
    let set = withContract('orders', (c) => ({ ...c, authority: { ...c.authority, mayEscalate: false, handsTo: ['billing'] } }));
    set = set.map((c) => (c.id === 'billing' ? RoleContract.parse({ ...c, authority: { ...c.authority, mayEscalate: false, handsTo: ['orders', 'support'] } }) : c));
    expect(() => validateContracts(set)).not.toThrow();
  });

  it('accepts the same cycle when one bot in it may escalate to a person', () => {
    let set = withContract('orders', (c) => ({ ...c, authority: { ...c.authority, mayEscalate: false, handsTo: ['billing'] } }));
    set = set.map((c) => (c.id === 'billing' ? RoleContract.parse({ ...c, authority: { ...c.authority, mayEscalate: true, handsTo: ['orders'] } }) : c));
    expect(() => validateContracts(set)).not.toThrow();
  });

  it('refuses a longer cycle (three bots) without an exit', () => {
    const noEscape = (handsTo: string[]) => (c: RoleContractInput): RoleContractInput => ({ ...c, authority: { ...c.authority, mayEscalate: false, handsTo } });
    let set = withContract('orders', noEscape(['billing']));
    set = set.map((c) => (c.id === 'billing' ? RoleContract.parse(noEscape(['support'])(c)) : c.id === 'support' ? RoleContract.parse(noEscape(['orders'])(c)) : c));
    expect(configErrorOf(() => validateContracts(set)).message).toMatch(/no exit/);
  });
});

describe('createBotRegistry', () => {
  it('stops on a broken set with a ConfigError, before any bot can be used', () => {
    const broken = withContract('orders', (c) => ({ ...c, authority: { ...c.authority, handsTo: ['nobody'] } }));
    expect(configErrorOf(() => createBotRegistry(asBots(broken))).message).toContain('"nobody"');
  });

  it('applies configured patterns to the contracts it validates and serves', () => {
    const registry = createBotRegistry(DEFAULT_BOTS, { orders: 'orchestrator', support: 'peer' });
    expect(registry.get('orders')?.contract.pattern).toBe('orchestrator');
    expect(registry.get('support')?.contract.pattern).toBe('peer');
    expect(registry.get('billing')?.contract.pattern).toBe('peer');
    // The shared default bots are not changed by one registry's configuration.
    expect(createBotRegistry().get('orders')?.contract.pattern).toBe('implicit');
  });
});
