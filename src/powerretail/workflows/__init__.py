"""Use cases an embedding app calls, each taking its ports keyword-only.

Every workflow takes ``make_unit_of_work`` (a factory of
:class:`~powerretail.repositories.unit_of_work.UnitOfWork` s) and a ``clock``, and never builds
an adapter: the app chooses the store. Money-moving workflows take an idempotency ``key`` and
run through :func:`~powerretail.repositories.commands.run_idempotent`; every change appends its
domain events to the outbox in the same unit of work.

* :mod:`~powerretail.workflows.reads` — submit register reads and interval series (VEE,
  estimation);
* :mod:`~powerretail.workflows.billing_cycle` — publish tariffs, bill one account, run a cycle;
* :mod:`~powerretail.workflows.payments` — post payments, assess late fees;
* :mod:`~powerretail.workflows.corrections` — correct an issued bill, release a held one;
* :mod:`~powerretail.workflows.adjustments` — adjust a credit score, write off a receivable
  (each authorised and audited);
* :mod:`~powerretail.workflows.moves` — move a customer in and out;
* :mod:`~powerretail.workflows.meters` — exchange a meter (both meters bill that month).
"""
