"""The published sources that reference figures come from (the seed articles in shared/seeds)."""

SEED_000 = "seed 000 (Dutch, 'Live-chat, wat vertellen de cijfers?'; Boom!!Chat, Comm100, ICMI, Zendesk)"
SEED_001 = "seed 001 (Dutch, 'Zes indicatoren die de effectiviteit van een chatdienst aantonen')"
