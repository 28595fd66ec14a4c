/* global URLSearchParams, location, document, sessionStorage, fetch -- a browser page */
// A tiny frontend: the API's URL comes in the page's address (?api=…), the token from sessionStorage.
const api = new URLSearchParams(location.search).get('api');
const viewer = document.getElementById('viewer');
const list = document.getElementById('posts');
const form = document.getElementById('new-post');

async function gql(query, variables) {
  const token = sessionStorage.getItem('token');
  const response = await fetch(api, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query, variables }),
  });
  const { data, errors } = await response.json();
  if (errors) throw new Error(errors[0].message);
  return data;
}

async function show() {
  try {
    const data = await gql('{ viewer { name } posts(first: 20) { nodes { id title } } }');
    viewer.textContent = data.viewer ? `Signed in as ${data.viewer.name}` : 'Not signed in';
    list.replaceChildren(
      ...data.posts.nodes.map((post) => {
        const item = document.createElement('li');
        item.textContent = post.title;
        return item;
      }),
    );
  } catch (error) {
    viewer.textContent = `Error: ${error.message}`;
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const title = form.elements.title.value;
  await gql('mutation ($title: NonEmptyString!) { createPost(input: { title: $title, published: true }) { post { id } } }', { title });
  form.reset();
  await show();
});

show();
