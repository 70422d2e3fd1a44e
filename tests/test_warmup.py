"""Start-up loads what the first conversation would otherwise wait for."""

from bot.nlu.linear import shipped_model
from bot.runtime.warmup import warm_up
from common.templates import all_template_names, environment


def test_warm_up_loads_the_model_and_compiles_every_template() -> None:
    compiled = warm_up()
    assert compiled == len(all_template_names()) > 0
    assert shipped_model.cache_info().currsize == 1
    cached = {name for _, name in environment().cache or {}}
    assert set(all_template_names()) <= cached
