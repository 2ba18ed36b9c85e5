"""`tf.random`: seeded stateful ops, stateless ops and `tf.random.Generator`.

TF's Philox numbers are not reproduced; TF's *seeding rules* are (see `seed.py`).
"""
