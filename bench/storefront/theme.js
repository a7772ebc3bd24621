// A theme's own deferred script, abridged: variant picker, thumbnail switch, cart count.
(function () {
  var main = document.querySelector(".product__image");
  document.querySelectorAll(".product__thumbs img").forEach(function (img) {
    img.addEventListener("click", function () {
      main.src = img.src;
      main.alt = img.alt;
    });
  });
  document.querySelectorAll(".variant-picker input").forEach(function (input) {
    input.addEventListener("change", function () {
      document.querySelector(".product__title").dataset.variant = input.value;
    });
  });
  fetch("/cart.js", { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (cart) { document.getElementById("CartCount").textContent = String(cart.item_count); })
    .catch(function () {});
})();
