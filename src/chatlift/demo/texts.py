"""Message bodies: short templates per language and purpose, picked in bulk.

A `TemplateBook` flattens ``{kind: {language: (variant, …)}}`` into one Arrow
string array; picking a text for a million messages is an index computation
plus one ``take``. The system hand-off message is English in every language, as
helpdesk tools write it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from chatlift.demo.people import LANGUAGES

TOPICS = ("order_status", "delivery", "returns", "billing", "product_question", "pricing", "account", "trial")
HANDOFF_TEXT = "handed over to an agent"

_OPENING: dict[str, dict[str, tuple[str, ...]]] = {
    "order_status": {
        "en": ("Hi, where is my order? I ordered last week.", "Can you tell me the status of my order?"),
        "nl": ("Hoi, waar blijft mijn bestelling? Ik heb vorige week besteld.", "Wat is de status van mijn order?"),
        "de": ("Hallo, wo bleibt meine Bestellung?", "Können Sie mir den Status meiner Bestellung sagen?"),
        "fr": ("Bonjour, où en est ma commande ?",),
        "es": ("Hola, ¿dónde está mi pedido?",),
        "et": ("Tere, kus mu tellimus on?",),
        "ru": ("Здравствуйте, где мой заказ?",),
    },
    "delivery": {
        "en": ("Do you deliver on Saturdays?", "How long does shipping to Belgium take?"),
        "nl": ("Bezorgen jullie ook op zaterdag?", "Hoe lang duurt de levering naar België?"),
        "de": ("Liefern Sie auch am Samstag?", "Wie lange dauert der Versand nach Deutschland?"),
        "fr": ("Livrez-vous le samedi ?",),
        "es": ("¿Hacéis entregas los sábados?",),
        "et": ("Kas te toimetate ka laupäeviti?",),
        "ru": ("Вы доставляете по субботам?",),
    },
    "returns": {
        "en": ("I would like to return an item, how does that work?",),
        "nl": ("Ik wil een artikel retourneren, hoe werkt dat?",),
        "de": ("Ich möchte einen Artikel zurückschicken, wie geht das?",),
        "fr": ("Je voudrais retourner un article, comment faire ?",),
        "es": ("Quiero devolver un artículo, ¿cómo lo hago?",),
        "et": ("Soovin toote tagastada, kuidas see käib?",),
        "ru": ("Я хочу вернуть товар, как это сделать?",),
    },
    "billing": {
        "en": ("I was charged twice this month.", "Can I get an invoice with our VAT number?"),
        "nl": ("Er is deze maand twee keer afgeschreven.", "Kan ik een factuur met ons btw-nummer krijgen?"),
        "de": ("Mir wurde diesen Monat doppelt abgebucht.",),
        "fr": ("J'ai été débité deux fois ce mois-ci.",),
        "es": ("Me habéis cobrado dos veces este mes.",),
        "et": ("Mult võeti sel kuul raha kaks korda.",),
        "ru": ("С меня дважды списали оплату в этом месяце.",),
    },
    "product_question": {
        "en": ("Is this model also available in black?", "Which size would you recommend for me?"),
        "nl": ("Is dit model ook in het zwart verkrijgbaar?", "Welke maat raden jullie aan?"),
        "de": ("Gibt es dieses Modell auch in Schwarz?",),
        "fr": ("Ce modèle existe-t-il aussi en noir ?",),
        "es": ("¿Este modelo está disponible en negro?",),
        "et": ("Kas see mudel on ka mustana saadaval?",),
        "ru": ("Есть ли эта модель в чёрном цвете?",),
    },
    "pricing": {
        "en": ("Do you offer a discount for larger quantities?", "What is the difference between the plans?"),
        "nl": ("Geven jullie korting bij grotere aantallen?", "Wat is het verschil tussen de abonnementen?"),
        "de": ("Gibt es Mengenrabatt?",),
        "fr": ("Proposez-vous une remise sur quantité ?",),
        "es": ("¿Hay descuento por volumen?",),
        "et": ("Kas suurema koguse puhul on allahindlus?",),
        "ru": ("Есть ли скидка на крупный заказ?",),
    },
    "account": {
        "en": ("I can't log in to my account.", "How do I add a colleague to our account?"),
        "nl": ("Ik kan niet inloggen op mijn account.", "Hoe voeg ik een collega toe aan ons account?"),
        "de": ("Ich kann mich nicht in mein Konto einloggen.",),
        "fr": ("Je n'arrive pas à me connecter à mon compte.",),
        "es": ("No puedo iniciar sesión en mi cuenta.",),
        "et": ("Ma ei saa oma kontole sisse logida.",),
        "ru": ("Не могу войти в свой аккаунт.",),
    },
    "trial": {
        "en": ("How does the free trial work?", "Does the trial end automatically?"),
        "nl": ("Hoe werkt de gratis proefperiode?", "Stopt de proefperiode vanzelf?"),
        "de": ("Wie funktioniert die kostenlose Testphase?",),
        "fr": ("Comment fonctionne l'essai gratuit ?",),
        "es": ("¿Cómo funciona la prueba gratuita?",),
        "et": ("Kuidas tasuta prooviperiood toimib?",),
        "ru": ("Как работает бесплатный пробный период?",),
    },
}

_OTHER: dict[str, dict[str, tuple[str, ...]]] = {
    "invite": {
        "en": ("Hi! Can I help you find what you are looking for?",),
        "nl": ("Hoi! Kan ik je helpen vinden wat je zoekt?",),
        "de": ("Hallo! Kann ich Ihnen bei der Suche helfen?",),
        "fr": ("Bonjour ! Puis-je vous aider ?",),
        "es": ("¡Hola! ¿Puedo ayudarte?",),
        "et": ("Tere! Kas saan aidata?",),
        "ru": ("Здравствуйте! Чем могу помочь?",),
    },
    "nudge": {
        "en": ("Tip: you can import your contacts in two clicks. Want to know how?",),
        "nl": ("Tip: je importeert je contacten in twee klikken. Zal ik laten zien hoe?",),
        "de": ("Tipp: Kontakte importieren Sie mit zwei Klicks. Soll ich es zeigen?",),
        "fr": ("Astuce : importez vos contacts en deux clics. Voulez-vous savoir comment ?",),
        "es": ("Consejo: importa tus contactos en dos clics. ¿Te enseño cómo?",),
        "et": ("Nõuanne: kontaktid saab importida kahe klikiga. Kas näitan?",),
        "ru": ("Совет: контакты можно импортировать в два клика. Показать как?",),
    },
    "bot_greeting": {
        "en": ("Hi, I'm the virtual assistant. What is your question about?",),
        "nl": ("Hoi, ik ben de virtuele assistent. Waar gaat je vraag over?",),
        "de": ("Hallo, ich bin der virtuelle Assistent. Worum geht es?",),
        "fr": ("Bonjour, je suis l'assistant virtuel. Quelle est votre question ?",),
        "es": ("Hola, soy el asistente virtual. ¿Sobre qué es tu pregunta?",),
        "et": ("Tere, olen virtuaalassistent. Millega saan aidata?",),
        "ru": ("Здравствуйте, я виртуальный помощник. О чём ваш вопрос?",),
    },
    "bot_offline": {
        "en": ("Our team is offline (08:00-22:00). I'll try to help in the meantime.",),
        "nl": ("Ons team is nu offline (08:00-22:00). Ik probeer je alvast te helpen.",),
        "de": ("Unser Team ist offline (08:00-22:00). Ich versuche, Ihnen zu helfen.",),
        "fr": ("Notre équipe est hors ligne (08h-22h). Je vais essayer de vous aider.",),
        "es": ("Nuestro equipo no está disponible (08:00-22:00). Intentaré ayudarte.",),
        "et": ("Meie meeskond on võrgust väljas (08-22). Püüan seni aidata.",),
        "ru": ("Наша команда сейчас не в сети (08:00-22:00). Попробую помочь сам.",),
    },
    "bot_answer": {
        "en": ("You can find this under My account > Orders. Did that help?", "Here is our help article on this."),
        "nl": ("Dit vind je onder Mijn account > Bestellingen. Heeft dit geholpen?", "Hier is ons helpartikel."),
        "de": ("Das finden Sie unter Mein Konto > Bestellungen. Hat das geholfen?",),
        "fr": ("Vous trouverez cela dans Mon compte > Commandes. Cela vous aide ?",),
        "es": ("Lo encontrarás en Mi cuenta > Pedidos. ¿Te ha servido?",),
        "et": ("Selle leiad: Minu konto > Tellimused. Kas see aitas?",),
        "ru": ("Это можно найти в разделе Мой аккаунт > Заказы. Помогло?",),
    },
    "customer_followup": {
        "en": ("Thanks. And what about the costs?", "OK, one more question.", "I already tried that."),
        "nl": ("Bedankt. En hoe zit het met de kosten?", "Oké, nog een vraag.", "Dat heb ik al geprobeerd."),
        "de": ("Danke. Und was kostet das?", "Ich habe das schon versucht."),
        "fr": ("Merci. Et pour les frais ?", "J'ai déjà essayé."),
        "es": ("Gracias. ¿Y los costes?", "Ya lo he intentado."),
        "et": ("Aitäh. Aga kulud?", "Proovisin juba."),
        "ru": ("Спасибо. А сколько это стоит?", "Я уже пробовал."),
    },
    "customer_thanks": {
        "en": ("Great, thank you!",),
        "nl": ("Top, bedankt!",),
        "de": ("Super, danke!",),
        "fr": ("Parfait, merci !",),
        "es": ("¡Genial, gracias!",),
        "et": ("Suurepärane, aitäh!",),
        "ru": ("Отлично, спасибо!",),
    },
    "customer_waiting": {
        "en": ("Hello? Is anyone there?",),
        "nl": ("Hallo? Is daar iemand?",),
        "de": ("Hallo? Ist da jemand?",),
        "fr": ("Allô ? Il y a quelqu'un ?",),
        "es": ("¿Hola? ¿Hay alguien?",),
        "et": ("Halloo? Kas keegi on seal?",),
        "ru": ("Алло? Здесь кто-нибудь есть?",),
    },
    "agent_answer": {
        "en": ("Hi, thanks for waiting! Let me check that for you.", "Good question, I'll look into it right away."),
        "nl": ("Hoi, bedankt voor het wachten! Ik zoek het voor je uit.", "Goede vraag, ik kijk het meteen na."),
        "de": ("Hallo, danke fürs Warten! Ich schaue das für Sie nach.",),
        "fr": ("Bonjour, merci de votre patience ! Je vérifie pour vous.",),
        "es": ("¡Hola, gracias por esperar! Lo compruebo ahora mismo.",),
        "et": ("Tere, aitäh ootamast! Vaatan kohe järele.",),
        "ru": ("Здравствуйте, спасибо за ожидание! Сейчас проверю.",),
    },
    "agent_followup": {
        "en": ("I see it now: it was shipped yesterday.", "I've sent you an e-mail with the details."),
        "nl": ("Ik zie het: het is gisteren verzonden.", "Ik heb je een e-mail gestuurd met de details."),
        "de": ("Ich sehe es: es wurde gestern verschickt.",),
        "fr": ("Je vois : c'est parti hier.",),
        "es": ("Ya lo veo: se envió ayer.",),
        "et": ("Näen: see saadeti eile teele.",),
        "ru": ("Вижу: отправлено вчера.",),
    },
    "agent_closing": {
        "en": ("Glad I could help. Have a nice day!", "Anything else I can do for you? Then I'll close this chat."),
        "nl": ("Fijn dat ik kon helpen. Fijne dag!", "Kan ik nog iets voor je doen? Dan sluit ik dit gesprek."),
        "de": ("Gern geschehen. Einen schönen Tag noch!",),
        "fr": ("Ravi d'avoir pu aider. Bonne journée !",),
        "es": ("Me alegra haberte ayudado. ¡Buen día!",),
        "et": ("Hea meel, et sain aidata. Ilusat päeva!",),
        "ru": ("Рад был помочь. Хорошего дня!",),
    },
    "handoff": {lang: (HANDOFF_TEXT,) for lang in LANGUAGES},
}

KINDS = tuple(f"opening_{t}" for t in TOPICS) + tuple(_OTHER)
KIND = {name: code for code, name in enumerate(KINDS)}  # kind name → code


@dataclass(frozen=True, eq=False)
class TemplateBook:
    """All variants of all kinds and languages in one string array."""

    strings: pa.Array
    first: npt.NDArray[np.int64]  # [kind, language] → index of the first variant
    count: npt.NDArray[np.int64]  # [kind, language] → number of variants

    @classmethod
    def build(cls, kinds: Sequence[str], table: Mapping[str, Mapping[str, Sequence[str]]]) -> TemplateBook:
        strings: list[str] = []
        first = np.zeros((len(kinds), len(LANGUAGES)), dtype=np.int64)
        count = np.zeros_like(first)
        for k, kind in enumerate(kinds):
            for lang_code, lang in enumerate(LANGUAGES):
                variants = table[kind].get(lang) or table[kind]["en"]
                first[k, lang_code], count[k, lang_code] = len(strings), len(variants)
                strings.extend(variants)
        return cls(pa.array(strings, type=pa.string()), first, count)

    def pick(self, rng: np.random.Generator, kind: npt.NDArray[np.int64], language: npt.NDArray[np.int64]) -> (
        pa.Array
    ):
        """One text per row for the given kind and language codes (variants uniformly)."""
        n = self.count[kind, language]
        index = self.first[kind, language] + (rng.random(len(kind)) * n).astype(np.int64)
        return self.strings.take(pa.array(index, type=pa.int64()))


@lru_cache(maxsize=1)
def message_book() -> TemplateBook:
    table = {f"opening_{t}": _OPENING[t] for t in TOPICS} | _OTHER
    return TemplateBook.build(KINDS, table)


SENTIMENTS = ("positive", "neutral", "negative")
_COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "positive": {
        "en": ("Quick and friendly help, thanks!", "Solved in minutes.", "Great service, very patient agent."),
        "nl": ("Snel en vriendelijk geholpen!", "Binnen een paar minuten opgelost.", "Top service, heel geduldig."),
        "de": ("Schnelle und freundliche Hilfe!", "In wenigen Minuten gelöst."),
        "fr": ("Aide rapide et aimable, merci !", "Résolu en quelques minutes."),
        "es": ("¡Ayuda rápida y amable!", "Resuelto en minutos."),
        "et": ("Kiire ja sõbralik abi, aitäh!",),
        "ru": ("Быстро и вежливо помогли, спасибо!", "Решили за пару минут."),
    },
    "neutral": {
        "en": ("OK, but it took a while.", "Fine, though I had to explain twice."),
        "nl": ("Prima, maar het duurde even.", "Oké, al moest ik het twee keer uitleggen."),
        "de": ("In Ordnung, hat aber gedauert.",),
        "fr": ("Correct, mais c'était un peu long.",),
        "es": ("Bien, aunque tardó un poco.",),
        "et": ("Okei, aga võttis aega.",),
        "ru": ("Нормально, но пришлось подождать.",),
    },
    "negative": {
        "en": ("Nobody answered my question.", "Waited far too long.", "The bot did not understand me."),
        "nl": ("Niemand heeft mijn vraag beantwoord.", "Veel te lang moeten wachten.", "De bot begreep me niet."),
        "de": ("Niemand hat meine Frage beantwortet.", "Viel zu lange gewartet."),
        "fr": ("Personne n'a répondu à ma question.", "Beaucoup trop d'attente."),
        "es": ("Nadie respondió a mi pregunta.", "Esperé demasiado."),
        "et": ("Keegi ei vastanud mu küsimusele.",),
        "ru": ("Никто не ответил на мой вопрос.", "Слишком долго ждал."),
    },
}


@lru_cache(maxsize=1)
def comment_book() -> TemplateBook:
    """Survey comments by sentiment (codes follow `SENTIMENTS`)."""
    return TemplateBook.build(SENTIMENTS, _COMMENTS)
